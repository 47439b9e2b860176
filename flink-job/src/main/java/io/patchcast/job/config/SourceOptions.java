package io.patchcast.job.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Where metric points come from and which of them are accepted. */
public final class SourceOptions {
    private SourceOptions() {}

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("patchcast.kafka.bootstrap-servers").stringType().noDefaultValue()
                    .withDescription("Kafka bootstrap servers for every topic of the job. Required.");

    public static final ConfigOption<String> METRICS_TOPIC =
            ConfigOptions.key("patchcast.topic.metrics").stringType().defaultValue("patchcast.metrics")
                    .withDescription("Input topic of Avro MetricPoint records, keyed by series so a series' points stay in order.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("patchcast.source.group-id").stringType().defaultValue("patchcast")
                    .withDescription("Consumer group; offsets are committed on checkpoints for monitoring only (Flink state holds the truth).");

    public static final ConfigOption<String> STARTING_OFFSETS =
            ConfigOptions.key("patchcast.source.starting-offsets").stringType().defaultValue("committed")
                    .withDescription("Where a job without a checkpoint starts: 'committed' (falling back to earliest), 'earliest' or 'latest'. Committed avoids re-scoring history after a redeploy.");

    public static final ConfigOption<Boolean> BOUNDED =
            ConfigOptions.key("patchcast.source.bounded").booleanType().defaultValue(false)
                    .withDescription("Stop at the offsets that are latest when the job starts (demo, backfills, tests); a monitoring deployment runs unbounded.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            ConfigOptions.key("patchcast.source.out-of-orderness").durationType().defaultValue(Duration.ofMinutes(1))
                    .withDescription("Bounded out-of-orderness of the event-time watermarks, which the Kafka source keeps per partition (the job's watermark is the slowest partition's, so a partition catching up behind the others holds it back); exporters usually deliver within a scrape interval.");

    public static final ConfigOption<Duration> IDLENESS =
            ConfigOptions.key("patchcast.source.idleness").durationType().defaultValue(Duration.ofSeconds(30))
                    .withDescription("A partition without records for this long stops holding back the watermark.");

    public static final ConfigOption<Duration> MAX_FUTURE =
            ConfigOptions.key("patchcast.source.max-future").durationType().defaultValue(Duration.ofHours(1))
                    .withDescription("Points stamped further than this after the wall clock are rejected (FUTURE_TIMESTAMP): a clock bug, not a measurement.");
}
