package io.patchcast.job.source;

/**
 * An input record the job could not use.
 *
 * @param reason one of {@link Reason}'s names
 * @param detail what was wrong and what was expected
 * @param seriesKey the series, when the record could be decoded; otherwise null
 */
public record DeadLetterRecord(
        byte[] original,
        String topic,
        int partition,
        long offset,
        String reason,
        String detail,
        String seriesKey,
        long processedAt) {

    /** Reason codes written to the dead-letter topic. */
    public enum Reason {
        UNDECODABLE,
        UNKNOWN_SCHEMA,
        MISSING_FIELD,
        NON_FINITE,
        EMPTY_NAME,
        FUTURE_TIMESTAMP,
        PRE_EPOCH_TIMESTAMP,
        DUPLICATE,
        LATE,
        STEP_UNKNOWN,
        /** A lone point more than max-gap-steps after its series' newest, the next point continuing the series. */
        TIMESTAMP_JUMP,
        /** A series key (name and labels) longer than MetricPointCodec.MAX_SERIES_KEY_CHARS. */
        OVERSIZED,
        /** A model-control command with a bad pattern, model or version name. */
        BAD_CONTROL,
        /** A ROUTE to a model version the model store does not hold. */
        UNKNOWN_MODEL
    }

    public static DeadLetterRecord of(Point p, Reason reason, String detail, long now) {
        return new DeadLetterRecord(
                p.raw(), p.topic(), p.partition(), p.offset(), reason.name(), detail, p.seriesKey(), now);
    }
}
