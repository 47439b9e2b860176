package io.patchcast.job.sink;

import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.score.ScoredPoint;
import io.patchcast.job.source.DeadLetterRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Serializes one kind of output record for its topic: key = series key (so a consumer sees a
 * series in order), value = Avro single-object encoding.
 */
public abstract class OutputSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private final String topic;

    OutputSerializer(String topic) {
        this.topic = topic;
    }

    abstract String key(T t);

    abstract byte[] value(T t);

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T t, KafkaSinkContext ctx, Long timestamp) {
        String k = key(t);
        return new ProducerRecord<>(topic, null, timestamp,
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
