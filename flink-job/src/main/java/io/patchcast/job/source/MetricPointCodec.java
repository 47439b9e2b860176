package io.patchcast.job.source;

import io.patchcast.job.source.DeadLetterRecord.Reason;
import io.patchcast.schema.MetricPoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.MissingSchemaException;

/**
 * Decodes and validates a MetricPoint (Avro single-object encoding) without throwing: the result is
 * either a point or a reason and detail for the dead-letter topic.
 */
public final class MetricPointCodec {

    /** Outcome of decoding one record: exactly one of {@code point} and {@code reason} is set. */
    public record Decoded(Point point, Reason reason, String detail, String seriesKey) {}

    private final long maxFutureMillis;

    public MetricPointCodec(long maxFutureMillis) {
        this.maxFutureMillis = maxFutureMillis;
    }

    public static byte[] encode(MetricPoint p) {
        try {
            ByteBuffer b = MetricPoint.getEncoder().encode(p);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode " + p, e);
        }
    }

    /** Longest series key (metric name plus labels) a point may have. */
    public static final int MAX_SERIES_KEY_CHARS = 4096;

    public Decoded decode(RawRecord r, long nowMillis) {
        if (r.value() == null || r.value().length == 0) {
            return bad(Reason.UNDECODABLE, "empty record value (tombstone?)", null);
        }
        MetricPoint m;
        try {
            m = MetricPoint.getDecoder().decode(r.value());
        } catch (MissingSchemaException e) {
            return bad(Reason.UNKNOWN_SCHEMA, "Avro schema fingerprint not known to this job: "
                    + e.getMessage() + "; expected MetricPoint v1", null);
        } catch (BadHeaderException e) {
            return bad(Reason.UNDECODABLE, "not Avro single-object encoding (expected header C3 01 + "
                    + "8-byte fingerprint): " + e.getMessage(), null);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException
                | NegativeArraySizeException e) {
            return bad(Reason.UNDECODABLE, "malformed MetricPoint body: " + e, null);
        }
        String name = m.getName() == null ? "" : m.getName().trim();
        if (name.isEmpty()) {
            return bad(Reason.EMPTY_NAME, "metric name is empty; every point needs a name", null);
        }
        String key = SeriesKeys.of(name, m.getLabels());
        if (key.length() > MAX_SERIES_KEY_CHARS) {
            // the key is in every output record of the series: one that large would break the sinks
            return bad(Reason.OVERSIZED, String.format("series key (name and labels) of %d characters; at most %d: %s...",
                    key.length(), MAX_SERIES_KEY_CHARS, key.substring(0, 200)), null);
        }
        if (m.getValue() == null) {
            return bad(Reason.MISSING_FIELD, "value is null (no measurement)", key);
        }
        double v = m.getValue();
        String nonFinite = nonFinite(v);
        if (nonFinite != null) {
            return bad(Reason.NON_FINITE, nonFinite, key);
        }
        long ts = m.getTimestamp().toEpochMilli();
        if (ts < 0) {
            return bad(Reason.PRE_EPOCH_TIMESTAMP, "timestamp " + m.getTimestamp()
                    + " is before 1970-01-01; expected epoch milliseconds", key);
        }
        if (ts > nowMillis + maxFutureMillis) {
            return bad(Reason.FUTURE_TIMESTAMP, String.format(
                    "timestamp %s is more than %d ms after the wall clock %s", m.getTimestamp(),
                    maxFutureMillis, Instant.ofEpochMilli(nowMillis)), key);
        }
        return new Decoded(new Point(key, ts, v, r.value(), r.topic(), r.partition(), r.offset()),
                null, null, key);
    }

    private static Decoded bad(Reason reason, String detail, String key) {
        return new Decoded(null, reason, detail, key);
    }

    /**
     * Why a value is a {@code NON_FINITE} dead letter, or null: NaN or infinite, or beyond the 32-bit
     * float range the models compute in. The offline {@code score} applies the same rule.
     */
    public static String nonFinite(double v) {
        if (inFloatRange(v)) {
            return null;
        }
        if (!Double.isFinite(v)) {
            return "value is " + v + "; expected a finite number";
        }
        return "value " + v + " is beyond +-3.4e38, the 32-bit float range the models"
                + " compute in; scale the metric (e.g. to another unit)";
    }

    /** Whether the job accepts a value: finite and within the 32-bit float range ({@link #nonFinite} is null). */
    public static boolean inFloatRange(double v) {
        return Double.isFinite(v) && !Float.isInfinite((float) v);
    }
}
