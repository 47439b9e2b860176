package io.patchcast.job.sink;

import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.score.ScoredPoint;
import io.patchcast.job.source.DeadLetterRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Serializes one kind of output record for its topic: key = series key (so a consumer sees a
 * series in order), value = Avro single-object encoding.
 */
public abstract class OutputSerializer<T> implements KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {

    private final String topic;

    OutputSerializer(String topic) {
        this.topic = topic;
    }

    /** The topic, for lineage and for the sink's listing of its own open transactions on restart. */
    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }

    abstract String key(T t);

    abstract byte[] value(T t);

    /**
     * The Kafka timestamp is left to the producer (write time), not the event time: the event time
     * is in the payload, and old event times (a backfill, a replay of history) would make the
     * broker's time-based retention delete the output as soon as a segment rolls.
     */
    @Override
    public ProducerRecord<byte[], byte[]> serialize(T t, KafkaSinkContext ctx, Long timestamp) {
        String k = key(t);
        return new ProducerRecord<>(topic, null, null,
                k == null ? null : k.getBytes(StandardCharsets.UTF_8), value(t));
    }

    public static OutputSerializer<ForecastResult> forecasts(String topic) {
        return new OutputSerializer<>(topic) {
            @Override
            String key(ForecastResult f) {
                return f.seriesKey();
            }

            @Override
            byte[] value(ForecastResult f) {
                return AvroConversions.encode(AvroConversions.forecast(f));
            }
        };
    }

    public static OutputSerializer<ScoredPoint> anomalies(String topic) {
        return new OutputSerializer<>(topic) {
            @Override
            String key(ScoredPoint p) {
                return p.seriesKey();
            }

            @Override
            byte[] value(ScoredPoint p) {
                return AvroConversions.encode(AvroConversions.anomaly(p));
            }
        };
    }

    public static OutputSerializer<AlertEvent> alerts(String topic) {
        return new OutputSerializer<>(topic) {
            @Override
            String key(AlertEvent e) {
                return e.seriesKey();
            }

            @Override
            byte[] value(AlertEvent e) {
                return AvroConversions.encode(AvroConversions.alert(e));
            }
        };
    }

    public static OutputSerializer<DeadLetterRecord> deadLetters(String topic) {
        return new OutputSerializer<>(topic) {
            @Override
            String key(DeadLetterRecord d) {
                return d.seriesKey();
            }

            @Override
            byte[] value(DeadLetterRecord d) {
                return AvroConversions.encode(AvroConversions.deadLetter(d));
            }
        };
    }
}
