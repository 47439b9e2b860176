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
            ConfigOptions.key("patchcast.anomaly.threshold").doubleType().defaultValue(0.20)
                    .withDescription("A point is flagged when its anomaly_score is at least this (LIKELIHOOD). 0.20 (recent surprise its own history gives about one chance in 300; 3 such points in 5 fire an alert) was chosen leave-one-file-out on the NAB AWS files with the shipped model (evaluate-nab --loo).");

    public static final ConfigOption<Integer> SHORT_WINDOW =
            ConfigOptions.key("patchcast.anomaly.short-window").intType().defaultValue(3)
                    .withDescription("Points whose surprise (-ln tail probability) is averaged before comparing with the history; a run of odd points weighs more than one (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Integer> HISTORY =
            ConfigOptions.key("patchcast.anomaly.history").intType().defaultValue(8000)
                    .withDescription("Span in points of the exponentially weighted mean and variance of past averaged surprise, about 4 weeks of 5-minute points (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Duration> SEASONAL_TOLERANCE =
            ConfigOptions.key("patchcast.anomaly.seasonal-tolerance").durationType().defaultValue(Duration.ofMinutes(30))
                    .withDescription("Surprise that the same series showed within this of the same time one day or one week earlier is discounted (down to a tail probability of about 5 %), so a daily or weekly recurring spike the forecast misses pages once, not every day. Between 10 min and 6 h; 0 turns it off. Costs about 4 x (1 week / tolerance) floats of state per series (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Integer> ALERT_K =
            ConfigOptions.key("patchcast.alert.k").intType().defaultValue(3)
                    .withDescription("An alert fires after k flagged points among the last n. 3 of 5: the score must stay high for several points (a single very unlikely point still can, as it stays in the 3-point short window for 3 points) (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Integer> ALERT_N =
            ConfigOptions.key("patchcast.alert.n").intType().defaultValue(5)
                    .withDescription("Window of recent points for the k-of-n rule (at most 64).");

    public static final ConfigOption<Integer> ALERT_RECOVER_AFTER =
            ConfigOptions.key("patchcast.alert.recover-after").intType().defaultValue(6)
                    .withDescription("A firing alert resolves after this many consecutive clean points (30 min of 5-minute points); a flapping series that fires again within the cooldown re-opens the same episode (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Duration> ALERT_COOLDOWN =
            ConfigOptions.key("patchcast.alert.cooldown").durationType().defaultValue(Duration.ofHours(2))
                    .withDescription("Firing again within this time of resolving re-opens the same episode (merged) instead of paging anew (chosen by evaluate-nab --loo).");
}
