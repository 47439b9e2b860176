package io.patchcast.job.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Job-wide settings. */
public final class JobOptions {
    private JobOptions() {}

    public static final ConfigOption<String> JOB_NAME =
            ConfigOptions.key("patchcast.job.name").stringType().defaultValue("patchcast")
                    .withDescription("Name of the Flink job.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("patchcast.job.checkpoint-interval").durationType().defaultValue(Duration.ofSeconds(10))
                    .withDescription("Used when the cluster configures no checkpointing: exactly-once output is committed on checkpoints, so this bounds output latency.");
}
