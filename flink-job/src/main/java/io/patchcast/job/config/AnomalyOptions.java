package io.patchcast.job.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Flagging and alerting. */
public final class AnomalyOptions {
    private AnomalyOptions() {}

    public static final ConfigOption<Double> LEVEL =
            ConfigOptions.key("patchcast.anomaly.level").doubleType().defaultValue(0.99)
                    .withDescription("Central interval level; a point outside it is flagged. 99 % keeps the raw flag rate near 1 % on well-calibrated forecasts.");

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
