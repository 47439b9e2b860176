package io.patchcast.job.source;

/**
 * A decoded metric point, with where it came from so that a later stage can still send the
 * original record to the dead-letter topic.
 *
 * @param seriesKey {@code name{label="value",...}}, labels sorted by name
 * @param timestamp event time, epoch milliseconds
 * @param raw the record value exactly as read (null when the point did not come from Kafka)
 */
public record Point(
        String seriesKey,
        long timestamp,
        double value,
        byte[] raw,
        String topic,
        int partition,
        long offset) {

    /** A point that did not come from Kafka (the offline {@code score} command). */
    public static Point offline(String seriesKey, long timestamp, double value, String file, long row) {
        return new Point(seriesKey, timestamp, value, null, file, 0, row);
    }
}
