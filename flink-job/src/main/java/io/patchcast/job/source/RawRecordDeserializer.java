package io.patchcast.job.source;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Passes Kafka records on undecoded: decoding happens in {@link PointDecoder}, where a bad record
 * becomes a dead letter instead of a failed source.
 *
 * <p>For the metrics topic ({@link #metricPoints}) it also reads each record's event time, the
 * point's timestamp, so that the Kafka source can keep a watermark per partition (the strategy given
 * to {@code fromSource}): a partition that lags behind the others then holds the watermark back
 * instead of seeing its points' event-time timers (group waits, quiet alerts) pass before they
 * arrive. A record that {@link PointDecoder} will reject (undecodable, too far in the future, ...)
 * gets {@link RawRecord#NO_EVENT_TIME} and moves no watermark; both decide with the same codec and
 * the same wall-clock reading ({@link RawRecord#receivedAtMillis()}).
 */
public final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {

    private final boolean timed;
    private final long maxFutureMillis;
    private transient MetricPointCodec codec;

    private RawRecordDeserializer(boolean timed, long maxFutureMillis) {
        this.timed = timed;
        this.maxFutureMillis = maxFutureMillis;
    }

    /** Records without an event time (the control topic). */
    public static RawRecordDeserializer untimed() {
        return new RawRecordDeserializer(false, 0);
    }

    /** Metric points, each with its point's timestamp as event time (see the class comment). */
    public static RawRecordDeserializer metricPoints(long maxFutureMillis) {
        return new RawRecordDeserializer(true, maxFutureMillis);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<RawRecord> out) {
        out.collect(read(r.value(), r.topic(), r.partition(), r.offset(), r.timestamp(), System.currentTimeMillis()));
    }

    /** The record as {@link #deserialize} emits it, read at {@code nowMillis}. */
    RawRecord read(byte[] value, String topic, int partition, long offset, long kafkaTimestamp, long nowMillis) {
        RawRecord raw = RawRecord.read(value, topic, partition, offset, kafkaTimestamp, nowMillis);
        if (!timed) {
            return raw;
        }
        if (codec == null) {
            codec = new MetricPointCodec(maxFutureMillis);
        }
        Point p;
        try {
            p = codec.decode(raw, nowMillis).point();
        } catch (RuntimeException e) {
            // nothing fails in the source: PointDecoder meets the record again and decides its fate
            return raw;
        }
        return p == null ? raw : raw.withEventTime(p.timestamp());
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
