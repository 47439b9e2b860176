package io.patchcast.job.config;

import io.patchcast.job.score.ScoreConfig;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Flagging and alerting. */
public final class AnomalyOptions {
    private AnomalyOptions() {}

    public static final ConfigOption<ScoreConfig.Method> METHOD =
            ConfigOptions.key("patchcast.anomaly.method").enumType(ScoreConfig.Method.class).defaultValue(ScoreConfig.Method.LIKELIHOOD)
                    .withDescription("LIKELIHOOD: anomaly_score compares recent surprise with the series' own history, flagged = score >= threshold. TAIL: anomaly_score = 1 - tail probability of the point alone, flagged = outside the central interval at level.");

    public static final ConfigOption<Double> LEVEL =
            ConfigOptions.key("patchcast.anomaly.level").doubleType().defaultValue(0.99)
                    .withDescription("Central interval reported as lower/upper (display; flagging uses the threshold).");

    public static final ConfigOption<Double> THRESHOLD =
            ConfigOptions.key("patchcast.anomaly.threshold").doubleType().defaultValue(0.30)
                    .withDescription("A point is flagged when its anomaly_score is at least this (LIKELIHOOD). 0.30 (recent surprise its own history gives about one chance in 20,000; each flagged point can fire an alert) was chosen leave-one-file-out on the NAB AWS files with the shipped model (evaluate-nab --loo).");

    public static final ConfigOption<Integer> SHORT_WINDOW =
            ConfigOptions.key("patchcast.anomaly.short-window").intType().defaultValue(3)
                    .withDescription("Points whose surprise (-ln tail probability) is averaged before comparing with the history; a run of odd points weighs more than one (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Integer> HISTORY =
            ConfigOptions.key("patchcast.anomaly.history").intType().defaultValue(8000)
                    .withDescription("Span in points of the exponentially weighted mean and variance of past averaged surprise, about 4 weeks of 5-minute points (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Duration> SEASONAL_TOLERANCE =
            ConfigOptions.key("patchcast.anomaly.seasonal-tolerance").durationType().defaultValue(Duration.ofHours(1))
                    .withDescription("Surprise that the same series showed within this of the same time one day or one week earlier is discounted (down to a tail probability of about 5 %), so a daily or weekly recurring spike the forecast misses pages once, not every day. Between 10 min and 6 h; 0 turns it off. Costs about 4 x (1 week / tolerance) floats of state per series (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Double> RANGE_TOLERANCE =
            ConfigOptions.key("patchcast.anomaly.range-tolerance").doubleType().defaultValue(0.05)
                    .withDescription("After warm-up, a value further above the largest value the series has shown, or further below the smallest, than this fraction of the range between them scores 1 (flagged at any threshold): a level never seen before pages even when the forecast's interval is wide. 0.05 is the tolerance of HTM's NAB detector, not tuned; 0 turns the rule off (evaluate-nab --loo chose it on over off). Two doubles of state per series.");

    public static final ConfigOption<Integer> ALERT_K =
            ConfigOptions.key("patchcast.alert.k").intType().defaultValue(1)
                    .withDescription("An alert fires after k flagged points among the last n. 1 of 1: the first flagged point fires; the threshold and the 3-point short window already ask for more than one odd point unless it is very unlikely or beyond the series' range (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Integer> ALERT_N =
            ConfigOptions.key("patchcast.alert.n").intType().defaultValue(1)
                    .withDescription("Window of recent points for the k-of-n rule (at most 64).");

    public static final ConfigOption<Integer> ALERT_RECOVER_AFTER =
            ConfigOptions.key("patchcast.alert.recover-after").intType().defaultValue(24)
                    .withDescription("A firing alert resolves after this many consecutive clean points (2 h of 5-minute points); a flapping series that fires again within the cooldown re-opens the same episode (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Duration> ALERT_COOLDOWN =
            ConfigOptions.key("patchcast.alert.cooldown").durationType().defaultValue(Duration.ofHours(2))
                    .withDescription("Firing again within this time of resolving re-opens the same episode (merged) instead of paging anew (chosen by evaluate-nab --loo).");
}
