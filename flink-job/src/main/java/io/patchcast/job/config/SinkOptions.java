package io.patchcast.job.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Output topics and their delivery guarantee. */
public final class SinkOptions {
    private SinkOptions() {}

    public static final ConfigOption<String> FORECASTS_TOPIC =
            ConfigOptions.key("patchcast.topic.forecasts").stringType().defaultValue("patchcast.forecasts")
                    .withDescription("Avro Forecast records, one per forecast patch, keyed by series.");

    public static final ConfigOption<String> ANOMALIES_TOPIC =
            ConfigOptions.key("patchcast.topic.anomalies").stringType().defaultValue("patchcast.anomalies")
                    .withDescription("Avro AnomalyFlag records, one per accepted point, keyed by series.");

    public static final ConfigOption<String> ALERTS_TOPIC =
            ConfigOptions.key("patchcast.topic.alerts").stringType().defaultValue("patchcast.alerts")
                    .withDescription("Avro AlertTransition records, one per FIRING/RESOLVED transition, keyed by series.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("patchcast.topic.dead-letters").stringType().defaultValue("patchcast.dead-letters")
                    .withDescription("Avro DeadLetter records: every input the job could not use, with original bytes and reason.");

    public static final ConfigOption<String> DELIVERY_GUARANTEE =
            ConfigOptions.key("patchcast.sink.delivery-guarantee").stringType().defaultValue("exactly-once")
                    .withDescription("'exactly-once' (Kafka transactions committed on checkpoints; consumers read with read_committed) or 'at-least-once' (lower latency, duplicates possible after a failure).");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("patchcast.sink.transactional-id-prefix").stringType().defaultValue("patchcast")
                    .withDescription("Prefix of the Kafka transactional ids; must be unique per job writing to the same cluster.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("patchcast.sink.transaction-timeout").durationType().defaultValue(Duration.ofMinutes(10))
                    .withDescription("Kafka transaction timeout; must exceed the checkpoint interval plus restart time and stay below the broker's transaction.max.timeout.ms (15 min by default).");
}
