package io.patchcast.cli.demo;

import io.patchcast.cli.demo.TopicIo.KeyValue;
import io.patchcast.job.sink.AvroConversions;
import io.patchcast.job.source.MetricPointCodec;
import io.patchcast.schema.AnomalyFlag;
import io.patchcast.schema.MetricPoint;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Input records that must each end up on the dead-letter topic with a known reason, and the good
 * points that have to surround some of them (a duplicate needs a series to duplicate).
 *
 * @param records everything to produce, in order
 * @param expectedReasons reason code of every bad record, in order
 * @param goodPoints good points among {@code records}
 * @param expectedForecasts forecasts the good points produce (one per series: 40 points, step 1 min)
 */
public record BadInputCorpus(List<KeyValue> records, List<String> expectedReasons, int goodPoints, int expectedForecasts) {

    static final long STEP = 60_000;

    /** {@code base}: event time of the first synthetic point; {@code now}: the wall clock. */
    public static BadInputCorpus create(long base, long now) {
        List<KeyValue> recs = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        byte[] valid = MetricPointCodec.encode(point("bad_truncated", base, 1.0));
        bad(recs, reasons, "UNDECODABLE", "not avro at all".getBytes(StandardCharsets.UTF_8));
        bad(recs, reasons, "UNDECODABLE", new byte[0]);
        bad(recs, reasons, "UNDECODABLE", Arrays.copyOf(valid, 12));
        AnomalyFlag other = AnomalyFlag.newBuilder().setSeriesKey("x").setTimestamp(Instant.ofEpochMilli(base))
                .setValue(1).setLevel(0.99).setScore(0).setFlagged(false).setModel("m").setModelVersion("1").build();
        bad(recs, reasons, "UNKNOWN_SCHEMA", AvroConversions.encode(other));
        bad(recs, reasons, "MISSING_FIELD", MetricPointCodec.encode(point("bad_null", base, null)));
        bad(recs, reasons, "NON_FINITE", MetricPointCodec.encode(point("bad_nan", base, Double.NaN)));
        bad(recs, reasons, "NON_FINITE", MetricPointCodec.encode(point("bad_inf", base, Double.POSITIVE_INFINITY)));
        bad(recs, reasons, "EMPTY_NAME", MetricPointCodec.encode(point("  ", base, 1.0)));
        bad(recs, reasons, "FUTURE_TIMESTAMP", MetricPointCodec.encode(point("bad_future", now + 10L * 86_400_000, 1.0)));
        bad(recs, reasons, "PRE_EPOCH_TIMESTAMP", MetricPointCodec.encode(point("bad_past", -1000L, 1.0)));

        int good = 0;
        // a regular series whose last point is sent twice -> DUPLICATE
        for (int i = 0; i < 40; i++) {
            good(recs, point("bad_dup", base + i * STEP, Math.sin(i / 3.0)));
            good++;
        }
        bad(recs, reasons, "DUPLICATE", "bad_dup", MetricPointCodec.encode(point("bad_dup", base + 39 * STEP, 5.0)));
        // a regular series followed by a point an hour behind its newest -> LATE
        for (int i = 0; i < 40; i++) {
            good(recs, point("bad_late", base + i * STEP, Math.cos(i / 3.0)));
            good++;
        }
        bad(recs, reasons, "LATE", "bad_late", MetricPointCodec.encode(point("bad_late", base + 39 * STEP - 3_600_000L, 1.0)));
        // no interval repeats among the first 8 points -> 8 x STEP_UNKNOWN
        long[] offsets = {0, 7_000, 131_000, 174_000, 391_000, 402_000, 1_000_000, 1_003_000};
        for (long o : offsets) {
            bad(recs, reasons, "STEP_UNKNOWN", "bad_irregular", MetricPointCodec.encode(point("bad_irregular", base + o, 1.0)));
        }
        return new BadInputCorpus(recs, reasons, good, 2);
    }

    private static MetricPoint point(String name, long ts, Double value) {
        return MetricPoint.newBuilder().setName(name).setLabels(Map.of("source", "bad-input-corpus"))
                .setTimestamp(Instant.ofEpochMilli(ts)).setValue(value).build();
    }

    private static void bad(List<KeyValue> recs, List<String> reasons, String reason, byte[] value) {
        bad(recs, reasons, reason, "bad-" + reasons.size(), value);
    }

    /** {@code key}: the series' name where the record belongs to a series, so it keeps its order. */
    private static void bad(List<KeyValue> recs, List<String> reasons, String reason, String key, byte[] value) {
        recs.add(new KeyValue(key.getBytes(StandardCharsets.UTF_8), value));
        reasons.add(reason);
    }

    private static void good(List<KeyValue> recs, MetricPoint p) {
        recs.add(new KeyValue(p.getName().getBytes(StandardCharsets.UTF_8), MetricPointCodec.encode(p)));
    }
}
