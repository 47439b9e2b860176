package io.patchcast.job.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Flagging and alerting. */
public final class AnomalyOptions {
    private AnomalyOptions() {}

    public static final ConfigOption<Double> LEVEL =
            ConfigOptions.key("patchcast.anomaly.level").doubleType().defaultValue(0.99)
                    .withDescription("Central interval reported as lower/upper (display; flagging uses the threshold).");

    public static final ConfigOption<Double> THRESHOLD =
            ConfigOptions.key("patchcast.anomaly.threshold").doubleType().defaultValue(0.5)
                    .withDescription("A point is flagged when its anomaly_score is at least this; 0.5 = recent surprise that the series' own history gives one chance in 100,000.");

    public static final ConfigOption<Integer> SHORT_WINDOW =
            ConfigOptions.key("patchcast.anomaly.short-window").intType().defaultValue(5)
                    .withDescription("Points whose surprise (-ln tail probability) is averaged before comparing with the history.");

    public static final ConfigOption<Integer> HISTORY =
            ConfigOptions.key("patchcast.anomaly.history").intType().defaultValue(1000)
                    .withDescription("Span in points of the exponentially weighted mean and variance of past averaged surprise.");

    public static final ConfigOption<Integer> ALERT_K =
            ConfigOptions.key("patchcast.alert.k").intType().defaultValue(3)
                    .withDescription("An alert fires after k flagged points among the last n: one outlier is a flag, not a page.");

    public static final ConfigOption<Integer> ALERT_N =
            ConfigOptions.key("patchcast.alert.n").intType().defaultValue(5)
                    .withDescription("Window of recent points for the k-of-n rule (at most 64).");

    public static final ConfigOption<Integer> ALERT_RECOVER_AFTER =
            ConfigOptions.key("patchcast.alert.recover-after").intType().defaultValue(6)
                    .withDescription("A firing alert resolves after this many consecutive clean points, so a flapping series does not resolve and re-fire each point.");

    public static final ConfigOption<Duration> ALERT_COOLDOWN =
            ConfigOptions.key("patchcast.alert.cooldown").durationType().defaultValue(Duration.ofMinutes(30))
                    .withDescription("Firing again within this time of resolving re-opens the same episode (merged) instead of paging anew.");
}
