package io.patchcast.job.source;

/**
 * A Kafka record value with its coordinates, before any decoding (so nothing can fail here).
 *
 * @param receivedAtMillis wall clock when the source read it: {@link PointDecoder} checks "too far
 *     in the future" against this time, so it decides as {@link RawRecordDeserializer} did
 * @param eventTime the timestamp of the metric point it holds, which the source's watermarks
 *     follow; {@link #NO_EVENT_TIME} for a record that becomes a dead letter, and for the control
 *     topic's commands
 */
public record RawRecord(byte[] value, String topic, int partition, long offset, long kafkaTimestamp,
        long receivedAtMillis, long eventTime) {

    /** The event time of a record that must not move a watermark. */
    public static final long NO_EVENT_TIME = Long.MIN_VALUE;

    /** A record read now, with no event time yet. */
    public static RawRecord read(byte[] value, String topic, int partition, long offset, long kafkaTimestamp,
            long receivedAtMillis) {
        return new RawRecord(value, topic, partition, offset, kafkaTimestamp, receivedAtMillis, NO_EVENT_TIME);
    }

    RawRecord withEventTime(long t) {
        return new RawRecord(value, topic, partition, offset, kafkaTimestamp, receivedAtMillis, t);
    }
}
