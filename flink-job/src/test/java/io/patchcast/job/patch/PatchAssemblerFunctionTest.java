package io.patchcast.job.patch;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.Tags;
import io.patchcast.job.source.DeadLetterRecord;
import io.patchcast.job.source.Point;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

class PatchAssemblerFunctionTest {

    static final String A = "cpu{host=\"a\"}";
    static final String B = "cpu{host=\"b\"}";
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 1_000;
    static final long DAY = Duration.ofDays(1).toMillis();

    static PatchConfig config(Duration step) {
        return new PatchConfig(16, 32, step, 8, Duration.ofSeconds(5), 4);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Point, InferenceRequest> harness(Duration step)
            throws Exception {
        PatchAssemblerFunction fn = new PatchAssemblerFunction(config(step), Duration.ofDays(7));
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn), Point::seriesKey,
                Types.STRING);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Point, InferenceRequest> opened(Duration step)
            throws Exception {
        var h = harness(step);
        h.open();
        return h;
    }

    static Point pt(String key, long slot) {
        return new Point(key, T0 + slot * STEP, slot, new byte[] {(byte) slot}, "metrics", 0, slot);
    }

    static void push(KeyedOneInputStreamOperatorTestHarness<String, Point, InferenceRequest> h, String key,
            long from, long toInclusive) throws Exception {
        for (long s = from; s <= toInclusive; s++) {
            Point p = pt(key, s);
            h.processElement(p, p.timestamp());
        }
    }

    static <X> List<X> side(KeyedOneInputStreamOperatorTestHarness<String, Point, InferenceRequest> h,
            OutputTag<X> tag) {
        Queue<StreamRecord<X>> q = h.getSideOutput(tag);
        List<X> out = new ArrayList<>();
        if (q != null) {
            for (StreamRecord<X> r : q) {
                out.add(r.getValue());
            }
        }
        return out;
    }

    /** A dead letter without its processing time, which is wall clock. */
    record Dead(String seriesKey, String reason, String detail, long offset) {
        static List<Dead> of(Collection<DeadLetterRecord> ds) {
            return ds.stream().map(d -> new Dead(d.seriesKey(), d.reason(), d.detail(), d.offset())).toList();
        }
    }

    /** Request as comparable values (records with arrays compare by identity). */
    record Req(String key, long patchStart, long issueTime, List<Float> values, List<Boolean> observed) {
        static List<Req> of(List<InferenceRequest> rs) {
            List<Req> out = new ArrayList<>();
            for (InferenceRequest r : rs) {
                List<Float> v = new ArrayList<>();
                List<Boolean> o = new ArrayList<>();
                for (int i = 0; i < r.values().length; i++) {
                    v.add(r.values()[i]);
                    o.add(r.observed()[i]);
                }
                out.add(new Req(r.seriesKey(), r.patchStart(), r.issueTime(), v, o));
            }
            return out;
        }
    }

    @Test
    void fortyPointsGiveOneRequestFortyPatchPointsAndDuplicatesAsDeadLetters() throws Exception {
        try (var h = opened(Duration.ofMillis(STEP))) {
            push(h, A, 0, 39);
            Point dup = pt(A, 35);
            h.processElement(dup, dup.timestamp());

            List<InferenceRequest> requests = h.extractOutputValues();
            assertThat(requests).hasSize(1);
            InferenceRequest r = requests.get(0);
            assertThat(r.seriesKey()).isEqualTo(A);
            assertThat(r.patchStart()).isEqualTo(T0 + 32 * STEP);
            assertThat(r.issueTime()).isEqualTo(T0 + 31 * STEP);
            assertThat(r.values()).hasSize(32);
            assertThat(r.values()[0]).isEqualTo(0f);
            assertThat(r.values()[31]).isEqualTo(31f);

            List<PatchPoint> points = side(h, Tags.PATCH_POINTS);
            assertThat(points).hasSize(40);
            assertThat(points).filteredOn(PatchPoint::expectForecast).extracting(PatchPoint::timestamp)
                    .containsExactly(java.util.stream.LongStream.rangeClosed(32, 39)
                            .mapToObj(s -> T0 + s * STEP).toArray(Long[]::new));

            List<DeadLetterRecord> dead = side(h, Tags.DEAD_LETTERS);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).reason()).isEqualTo("DUPLICATE");
            assertThat(dead.get(0).seriesKey()).isEqualTo(A);
            assertThat(dead.get(0).original()).containsExactly((byte) 35);
            assertThat(dead.get(0).topic()).isEqualTo("metrics");
            assertThat(dead.get(0).offset()).isEqualTo(35);

            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void seriesAreAssembledIndependently() throws Exception {
        try (var h = opened(Duration.ofMillis(STEP))) {
            for (long s = 0; s <= 31; s++) {
                Point a = pt(A, s);
                h.processElement(a, a.timestamp());
                if (s % 2 == 0) {
                    Point b = pt(B, s);
                    h.processElement(b, b.timestamp());
                }
            }
            assertThat(h.extractOutputValues()).extracting(InferenceRequest::seriesKey).containsExactly(A);
            assertThat(side(h, Tags.PATCH_POINTS)).filteredOn(p -> p.seriesKey().equals(B)).hasSize(16);
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        }
    }

    @Test
    void restoredOperatorContinuesTheSeriesAsAnUninterruptedOne() throws Exception {
        List<Req> expectedRequests;
        List<PatchPoint> expectedPoints;
        List<Dead> expectedDead;
        try (var h = opened(Duration.ofMillis(STEP))) {
            push(h, A, 0, 20);
            push(h, A, 23, 50); // a hole at 21, 22
            push(h, A, 22, 22); // too late by now
            push(h, A, 50, 50); // duplicate
            expectedRequests = Req.of(h.extractOutputValues());
            expectedPoints = side(h, Tags.PATCH_POINTS);
            expectedDead = Dead.of(side(h, Tags.DEAD_LETTERS));
        }
        assertThat(expectedRequests).hasSize(2);
        assertThat(expectedDead).extracting(Dead::reason).containsExactly("LATE", "DUPLICATE");

        OperatorSubtaskState snapshot;
        List<InferenceRequest> before;
        List<PatchPoint> pointsBefore;
        try (var h = opened(Duration.ofMillis(STEP))) {
            push(h, A, 0, 20);
            push(h, A, 23, 30);
            before = h.extractOutputValues();
            pointsBefore = side(h, Tags.PATCH_POINTS);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(Duration.ofMillis(STEP))) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            push(h, A, 31, 50);
            push(h, A, 22, 22);
            push(h, A, 50, 50);
            List<Req> requests = new ArrayList<>(Req.of(before));
            requests.addAll(Req.of(h.extractOutputValues()));
            List<PatchPoint> points = new ArrayList<>(pointsBefore);
            points.addAll(side(h, Tags.PATCH_POINTS));

            assertThat(requests).isEqualTo(expectedRequests);
            assertThat(points).isEqualTo(expectedPoints);
            assertThat(Dead.of(side(h, Tags.DEAD_LETTERS))).isEqualTo(expectedDead);
        }
    }

    @Test
    void restoredOperatorKeepsPointsBufferedForStepInference() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = opened(Duration.ZERO)) {
            push(h, A, 0, 4);
            assertThat(side(h, Tags.PATCH_POINTS)).isEmpty();
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(Duration.ZERO)) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            // one end-of-input timer and one wall-clock timer per waiting series, restored
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
            push(h, A, 5, 7); // the 8th point infers the step

            List<PatchPoint> points = side(h, Tags.PATCH_POINTS);
            assertThat(points).extracting(PatchPoint::timestamp)
                    .containsExactly(java.util.stream.LongStream.rangeClosed(0, 7)
                            .mapToObj(s -> T0 + s * STEP).toArray(Long[]::new));
            assertThat(points).extracting(PatchPoint::stepMillis).containsOnly(STEP);
            assertThat(h.numEventTimeTimers()).as("the end-of-input timer goes once the step is known").isZero();
        }
    }

    @Test
    void watermarkAtTheEndOfInputFlushesPointsStillWaitingForAStep() throws Exception {
        try (var h = opened(Duration.ZERO)) {
            push(h, A, 0, 1); // two points: too few to infer
            push(h, B, 0, 2); // three regular points: enough once flushed
            assertThat(side(h, Tags.PATCH_POINTS)).isEmpty();
            assertThat(h.numEventTimeTimers()).isEqualTo(2);

            h.processWatermark(Long.MAX_VALUE);

            assertThat(Dead.of(side(h, Tags.DEAD_LETTERS))).extracting(Dead::seriesKey, Dead::reason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(A, "STEP_UNKNOWN"),
                            org.assertj.core.groups.Tuple.tuple(A, "STEP_UNKNOWN"));
            assertThat(side(h, Tags.PATCH_POINTS)).extracting(PatchPoint::seriesKey, PatchPoint::stepIndex)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(B, 0),
                            org.assertj.core.groups.Tuple.tuple(B, 1),
                            org.assertj.core.groups.Tuple.tuple(B, 2));
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void pendingPointsIgnoreWatermarksOfOtherSeriesAndFlushAfterTheWallClockTimeout() throws Exception {
        try (var h = opened(Duration.ZERO)) {
            h.setProcessingTime(0);
            push(h, A, 0, 2);
            // other series on the partition may move the watermark far past this new series
            h.processWatermark(T0 + 100 * DAY);
            assertThat(side(h, Tags.PATCH_POINTS)).isEmpty();
            assertThat(side(h, Tags.DEAD_LETTERS)).isEmpty();

            h.setProcessingTime(PatchAssemblerFunction.PENDING_TIMEOUT.toMillis() - 1);
            assertThat(side(h, Tags.PATCH_POINTS)).isEmpty();
            h.setProcessingTime(PatchAssemblerFunction.PENDING_TIMEOUT.toMillis());
            assertThat(side(h, Tags.PATCH_POINTS)).hasSize(3);
            assertThat(h.numProcessingTimeTimers()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void pointsHeldForStepInferenceAreUsedBeforeAShortStateTtlDropsThem() throws Exception {
        Duration ttl = Duration.ofHours(2);
        PatchAssemblerFunction fn = new PatchAssemblerFunction(config(Duration.ZERO), ttl);
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn), Point::seriesKey,
                Types.STRING)) {
            h.setProcessingTime(0);
            h.setStateTtlProcessingTime(0);
            h.open();
            push(h, A, 0, 2); // held: fewer points than step inference waits for
            long halfTtl = ttl.toMillis() / 2;
            h.setStateTtlProcessingTime(halfTtl);
            h.setProcessingTime(halfTtl - 1);
            assertThat(side(h, Tags.PATCH_POINTS)).isEmpty();
            // before the state expires (2 h), not after the 24 h timeout: it would find no state and lose them
            h.setProcessingTime(halfTtl);
            assertThat(side(h, Tags.PATCH_POINTS)).hasSize(3);
        }
        assertThat(PatchAssemblerFunction.pendingTimeout(Duration.ofDays(7))).isEqualTo(PatchAssemblerFunction.PENDING_TIMEOUT);
    }

    @Test
    void aStateTtlThatIsNotPositiveIsRejectedWhenTheJobIsBuilt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PatchAssemblerFunction(config(Duration.ZERO),
                Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state-ttl");
    }
}
