package io.patchcast.job.patch;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.source.DeadLetterRecord.Reason;
import io.patchcast.job.source.Point;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatchAssemblerTest {

    static final String KEY = "cpu{host=\"a\"}";
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 1_000;

    /** patch 16, context 32 (two patches, ring of 48), lateness 5 steps, gaps of up to 4 steps kept. */
    static PatchConfig config(Duration step) {
        return new PatchConfig(16, 32, step, 8, Duration.ofSeconds(5), 4);
    }

    record DeadLetter(Point point, Reason reason, String detail) {}

    static final class Recorder implements PatchAssembler.Output {
        final List<InferenceRequest> requests = new ArrayList<>();
        final List<PatchPoint> points = new ArrayList<>();
        final List<DeadLetter> dead = new ArrayList<>();

        @Override
        public void request(InferenceRequest r) {
            requests.add(r);
        }

        @Override
        public void point(PatchPoint p) {
            points.add(p);
        }

        @Override
        public void deadLetter(Point p, Reason reason, String detail) {
            dead.add(new DeadLetter(p, reason, detail));
        }

        PatchPoint lastPoint() {
            return points.get(points.size() - 1);
        }
    }

    static Point pt(long ts, double v) {
        return Point.offline(KEY, ts, v, "test", 0);
    }

    /** Point of slot {@code slot} with value {@code slot}. */
    static Point at(long slot) {
        return pt(T0 + slot * STEP, slot);
    }

    final PatchAssembler configured = new PatchAssembler(config(Duration.ofMillis(STEP)));
    final SeriesState state = configured.newState();
    final Recorder out = new Recorder();

    void feed(long fromSlot, long toSlotInclusive) {
        for (long s = fromSlot; s <= toSlotInclusive; s++) {
            configured.accept(state, at(s), out);
        }
    }

    static float[] range(int from, int to) {
        float[] v = new float[to - from];
        for (int i = 0; i < v.length; i++) {
            v[i] = from + i;
        }
        return v;
    }

    static boolean[] allTrue(int n) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, true);
        return b;
    }

    // ---- step inference ----

    @Test
    void infersTheStepFromEightRegularPointsAndPlacesThemAll() {
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        for (int i = 0; i < 7; i++) {
            a.accept(s, pt(T0 + i * 15_000L, i), out);
        }
        assertThat(out.points).isEmpty();
        assertThat(PatchAssembler.hasPending(s)).isTrue();

        a.accept(s, pt(T0 + 7 * 15_000L, 7), out);

        assertThat(s.stepMillis).isEqualTo(15_000);
        assertThat(PatchAssembler.hasPending(s)).isFalse();
        assertThat(out.points).hasSize(8);
        for (int i = 0; i < 8; i++) {
            PatchPoint p = out.points.get(i);
            assertThat(p.timestamp()).isEqualTo(T0 + i * 15_000L);
            assertThat(p.stepIndex()).isEqualTo(i);
            assertThat(p.patchStart()).isEqualTo(T0);
            assertThat(p.stepMillis()).isEqualTo(15_000);
            assertThat(p.expectForecast()).isFalse();
        }
        assertThat(out.dead).isEmpty();
    }

    @Test
    void infersTheStepFromPointsArrivingOutOfOrderAndMarksTheHoleUnobserved() {
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        long[] slots = {3, 0, 1, 2, 5, 6, 7, 8}; // slot 4 missing: intervals 1000 x6, 2000 x1
        for (long slot : slots) {
            a.accept(s, at(slot), out);
        }
        assertThat(s.stepMillis).isEqualTo(STEP);
        assertThat(out.points).extracting(PatchPoint::stepIndex).containsExactly(0, 1, 2, 3, 5, 6, 7, 8);
        assertThat(s.isObserved(4)).isFalse();
        assertThat(s.isObserved(5)).isTrue();
        assertThat(s.frontier).isEqualTo(8);
    }

    @Test
    void infersTheStepWhenExactlyHalfTheIntervalsAgree() {
        // 7 intervals: 1000 four times, then 1700, 2300, 3100
        long[] ts = {0, 1000, 2000, 3000, 4000, 5700, 8000, 11_100};
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        for (long t : ts) {
            a.accept(s, pt(T0 + t, 1), out);
        }
        assertThat(s.stepMillis).isEqualTo(1000);
        assertThat(out.dead).isEmpty();
    }

    @Test
    void infersAScrapeIntervalFromJitteredTimestampsAndPlacesEveryPoint() {
        // a 15 s scrape whose timestamps jitter by up to 40 ms: no two intervals are equal
        long[] jitter = {0, 12, -7, 31, -40, 3, 18, -22, 9, 40, -15, 1};
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        for (int i = 0; i < jitter.length; i++) {
            a.accept(s, pt(T0 + i * 15_000L + jitter[i], i), out);
        }
        assertThat(s.stepMillis).isEqualTo(15_000);
        assertThat(out.dead).isEmpty();
        assertThat(out.points).extracting(PatchPoint::stepIndex)
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        // sub-second steps keep a finer unit: 250 ms +- 3 ms infers 250
        Point[] fast = new Point[8];
        long[] j2 = {0, 2, -1, 3, -3, 1, 0, 2};
        for (int i = 0; i < fast.length; i++) {
            fast[i] = pt(T0 + i * 250L + j2[i], i);
        }
        assertThat(PatchAssembler.inferStep(fast)).isEqualTo(250);
    }

    @Test
    void irregularPointsGoToTheDeadLettersAsStepUnknown() {
        // intervals 1000, 1500, 2200, 700, 3000, 1000, 4000: the most common (1000) is 2 of 7
        long[] ts = {0, 1000, 2500, 4700, 5400, 8400, 9400, 13_400};
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        for (long t : ts) {
            a.accept(s, pt(T0 + t, 1), out);
        }
        assertThat(out.points).isEmpty();
        assertThat(out.requests).isEmpty();
        assertThat(out.dead).hasSize(8)
                .allSatisfy(d -> assertThat(d.reason()).isEqualTo(Reason.STEP_UNKNOWN));
        assertThat(out.dead).extracting(d -> d.point().timestamp())
                .containsExactly(java.util.Arrays.stream(ts).map(t -> T0 + t).boxed().toArray(Long[]::new));
        assertThat(out.dead.get(0).detail())
                .contains("[1000, 1500, 2200, 700, 3000, 1000, 4000]")
                .contains("patchcast.patch.step");
        assertThat(s.stepMillis).isZero();
        assertThat(PatchAssembler.hasPending(s)).isFalse();
    }

    @Test
    void flushWithFewerThanThreePointsRejectsThemAsStepUnknown() {
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        a.accept(s, pt(T0, 1), out);
        a.accept(s, pt(T0 + 1000, 2), out);

        a.flush(s, out);

        assertThat(out.dead).extracting(DeadLetter::reason)
                .containsExactly(Reason.STEP_UNKNOWN, Reason.STEP_UNKNOWN);
        assertThat(out.dead.get(0).detail()).contains("from 2 points [1000]");
        assertThat(out.points).isEmpty();
        assertThat(PatchAssembler.hasPending(s)).isFalse();
        assertThat(s.stepMillis).isZero();
    }

    @Test
    void flushWithThreeRegularPointsInfersTheStepAndPlacesThem() {
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        a.accept(s, pt(T0 + 4000, 3), out);
        a.accept(s, pt(T0, 1), out);
        a.accept(s, pt(T0 + 2000, 2), out);

        a.flush(s, out);

        assertThat(s.stepMillis).isEqualTo(2000);
        assertThat(out.points).extracting(PatchPoint::timestamp).containsExactly(T0, T0 + 2000, T0 + 4000);
        assertThat(out.points).extracting(PatchPoint::stepIndex).containsExactly(0, 1, 2);
        assertThat(out.dead).isEmpty();
    }

    @Test
    void flushDoesNothingOnceTheStepIsKnown() {
        feed(0, 2);
        configured.flush(state, out);
        assertThat(out.points).hasSize(3);
        assertThat(out.dead).isEmpty();
    }

    @Test
    void duplicateTimestampWhileInferringIsADuplicate() {
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        a.accept(s, pt(T0, 1), out);
        a.accept(s, pt(T0, 2), out);
        assertThat(out.dead).extracting(DeadLetter::reason).containsExactly(Reason.DUPLICATE);
        assertThat(s.pending).hasSize(1);
        assertThat(s.pending[0].value()).isEqualTo(1.0);
    }

    // ---- placement ----

    @Test
    void configuredStepPlacesPointsInExactSlotsFromTheFirstPoint() {
        feed(0, 20);
        assertThat(out.points).hasSize(21);
        PatchPoint p17 = out.points.get(17);
        assertThat(p17.patchStart()).isEqualTo(T0 + 16 * STEP);
        assertThat(p17.stepIndex()).isEqualTo(1);
        assertThat(p17.value()).isEqualTo(17.0);
        assertThat(p17.stepMillis()).isEqualTo(STEP);
        assertThat(state.anchor).isEqualTo(T0);
        assertThat(state.frontier).isEqualTo(20);
    }

    @Test
    void pointOffTheGridSnapsToTheNearestSlot() {
        feed(0, 3);
        configured.accept(state, pt(T0 + 4 * STEP + 400, 4.4), out); // 4.4 steps -> slot 4
        configured.accept(state, pt(T0 + 5 * STEP - 499, 5.0), out); // 4.501 steps -> slot 5
        assertThat(out.points).extracting(PatchPoint::stepIndex).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(state.value(4)).isEqualTo(4.4f);
        assertThat(state.value(5)).isEqualTo(5.0f);
    }

    // ---- forecast requests ----

    @Test
    void noRequestDuringTheFirstTwoPatches() {
        feed(0, 30);
        assertThat(out.requests).isEmpty();
        assertThat(out.points).hasSize(31).noneMatch(PatchPoint::expectForecast);
    }

    @Test
    void firstRequestComesWhenSlot31IsFilledWithTheWholeContext() {
        feed(0, 31);
        assertThat(out.requests).hasSize(1);
        InferenceRequest r = out.requests.get(0);
        assertThat(r.seriesKey()).isEqualTo(KEY);
        assertThat(r.patchStart()).isEqualTo(T0 + 32 * STEP);
        assertThat(r.stepMillis()).isEqualTo(STEP);
        assertThat(r.issueTime()).isEqualTo(T0 + 31 * STEP);
        assertThat(r.values()).containsExactly(range(0, 32));
        assertThat(r.observed()).containsExactly(allTrue(32));
        // the point that triggered it still belongs to (unforecast) patch 1
        assertThat(out.lastPoint().expectForecast()).isFalse();
    }

    @Test
    void oneRequestPerPatchWithTheContextCappedAtContextLength() {
        feed(0, 80);
        assertThat(out.requests).extracting(InferenceRequest::patchStart)
                .containsExactly(T0 + 32 * STEP, T0 + 48 * STEP, T0 + 64 * STEP, T0 + 80 * STEP);
        assertThat(out.requests).allSatisfy(r -> assertThat(r.values()).hasSize(32));
        // patch 3 (slots 48..63) is forecast from slots 16..47, patch 5 from 48..79 (the ring wraps)
        assertThat(out.requests.get(1).values()).containsExactly(range(16, 48));
        assertThat(out.requests.get(3).values()).containsExactly(range(48, 80));
        assertThat(out.requests.get(3).observed()).containsExactly(allTrue(32));
        assertThat(out.requests.get(3).issueTime()).isEqualTo(T0 + 79 * STEP);
    }

    @Test
    void contextIsAsLongAsAvailableUpToContextLength() {
        PatchAssembler a = new PatchAssembler(new PatchConfig(16, 64, Duration.ofMillis(STEP), 8,
                Duration.ofSeconds(5), 4));
        SeriesState s = a.newState();
        for (int i = 0; i <= 63; i++) {
            a.accept(s, at(i), out);
        }
        assertThat(out.requests).extracting(r -> r.values().length).containsExactly(32, 48, 64);
    }

    @Test
    void firstPointOfAPatchRequestsItsForecastWhenThePreviousPatchEndedWithAHole() {
        feed(0, 30);
        configured.accept(state, at(32), out); // slot 31 missing
        assertThat(out.requests).hasSize(1);
        InferenceRequest r = out.requests.get(0);
        assertThat(r.patchStart()).isEqualTo(T0 + 32 * STEP);
        assertThat(r.issueTime()).isEqualTo(T0 + 32 * STEP);
        assertThat(r.observed()[31]).isFalse();
        assertThat(r.values()[31]).isZero();
        assertThat(r.observed()[30]).isTrue();
        assertThat(out.lastPoint().expectForecast()).isTrue();
        assertThat(out.lastPoint().stepIndex()).isZero();
    }

    @Test
    void expectForecastIsTrueExactlyForPointsOfRequestedPatches() {
        feed(0, 40);
        assertThat(out.points).hasSize(41);
        for (PatchPoint p : out.points) {
            long slot = (p.timestamp() - T0) / STEP;
            assertThat(p.expectForecast()).as("slot %d", slot).isEqualTo(slot >= 32);
        }
    }

    @Test
    void patchSkippedByAGapIsNeverForecastAndItsLateFillsAreWarmUp() {
        // gaps of up to 20 steps kept, lateness 30 steps
        PatchAssembler a = new PatchAssembler(new PatchConfig(16, 32, Duration.ofMillis(STEP), 8,
                Duration.ofSeconds(30), 20));
        SeriesState s = a.newState();
        for (int i = 0; i <= 44; i++) {
            a.accept(s, at(i), out);
        }
        a.accept(s, at(64), out); // 19 missing: patch 3 (48..63) skipped, patch 4 requested
        a.accept(s, at(50), out); // late fill into the skipped patch
        assertThat(out.requests).extracting(InferenceRequest::patchStart)
                .containsExactly(T0 + 32 * STEP, T0 + 64 * STEP);
        assertThat(out.points.get(out.points.size() - 2).expectForecast()).isTrue(); // slot 64
        PatchPoint late = out.lastPoint();
        assertThat(late.patchStart()).isEqualTo(T0 + 48 * STEP);
        assertThat(late.stepIndex()).isEqualTo(2);
        assertThat(late.expectForecast()).isFalse();
        // context of patch 4 = slots 32..63: 32..44 observed, 45..63 not
        boolean[] obs = out.requests.get(1).observed();
        for (int i = 0; i < 32; i++) {
            assertThat(obs[i]).as("slot %d", 32 + i).isEqualTo(32 + i <= 44);
        }
    }

    // ---- duplicates and lateness ----

    @Test
    void sameTimestampTwiceIsADuplicate() {
        feed(0, 5);
        configured.accept(state, pt(T0 + 3 * STEP, 99), out);
        assertThat(out.dead).hasSize(1);
        assertThat(out.dead.get(0).reason()).isEqualTo(Reason.DUPLICATE);
        assertThat(out.dead.get(0).point().value()).isEqualTo(99.0);
        assertThat(state.value(3)).isEqualTo(3f);
        assertThat(out.points).hasSize(6);
    }

    @Test
    void timestampSnappingToAFilledSlotIsADuplicate() {
        feed(0, 5);
        configured.accept(state, pt(T0 + 5 * STEP + 300, 99), out); // newest slot
        configured.accept(state, pt(T0 + 2 * STEP - 200, 98), out); // an older one
        assertThat(out.dead).extracting(DeadLetter::reason)
                .containsExactly(Reason.DUPLICATE, Reason.DUPLICATE);
        assertThat(out.dead.get(1).detail()).contains("slot " + (T0 + 2 * STEP));
        assertThat(state.value(5)).isEqualTo(5f);
        assertThat(state.value(2)).isEqualTo(2f);
    }

    @Test
    void pointMoreThanAllowedLatenessBehindTheNewestIsLate() {
        feed(0, 20);
        feed(22, 22); // slot 21 empty
        configured.accept(state, pt(T0 + 16 * STEP, 1), out); // 6 s behind, filled anyway
        configured.accept(state, pt(T0 + 17 * STEP - 1, 1), out); // 5.001 s behind
        assertThat(out.dead).extracting(DeadLetter::reason).containsExactly(Reason.LATE, Reason.LATE);
        assertThat(out.dead.get(0).detail()).contains("6000 ms behind").contains("PT5S");
    }

    @Test
    void lateFillWithinTheAllowedLatenessFillsItsSlot() {
        feed(0, 20);
        feed(22, 26);
        configured.accept(state, pt(T0 + 21 * STEP, 21), out); // exactly 5 s behind slot 26
        assertThat(out.dead).isEmpty();
        PatchPoint late = out.lastPoint();
        assertThat(late.timestamp()).isEqualTo(T0 + 21 * STEP);
        assertThat(late.stepIndex()).isEqualTo(5);
        assertThat(late.patchStart()).isEqualTo(T0 + 16 * STEP);
        assertThat(state.frontier).isEqualTo(26);

        feed(27, 31);
        assertThat(out.requests).hasSize(1);
        assertThat(out.requests.get(0).observed()).containsExactly(allTrue(32));
        assertThat(out.requests.get(0).values()).containsExactly(range(0, 32));
    }

    @Test
    void pointBeforeTheAnchorIsLate() {
        feed(0, 1);
        configured.accept(state, pt(T0 - STEP, 1), out);
        assertThat(out.dead).extracting(DeadLetter::reason).containsExactly(Reason.LATE);
    }

    // ---- gaps ----

    @Test
    void gapsUpToMaxGapStepsAppearAsUnobservedContext() {
        feed(0, 19);
        feed(24, 31); // slots 20..23 missing: 4 steps = maxGapSteps, kept
        assertThat(out.requests).hasSize(1);
        InferenceRequest r = out.requests.get(0);
        for (int i = 0; i < 32; i++) {
            boolean hole = i >= 20 && i <= 23;
            assertThat(r.observed()[i]).as("observed[%d]", i).isEqualTo(!hole);
            assertThat(r.values()[i]).as("values[%d]", i).isEqualTo(hole ? 0f : i);
        }
        assertThat(out.points.get(20).stepIndex()).isEqualTo(8); // slot 24 in patch 1
    }

    @Test
    void holesLeftFromAnEarlierLapOfTheRingAreNotObserved() {
        feed(0, 60);
        feed(63, 80); // 61, 62 missing; ring of 48 held slots 13, 14 there before
        InferenceRequest r = out.requests.get(out.requests.size() - 1); // patch 5: slots 48..79
        assertThat(r.patchStart()).isEqualTo(T0 + 80 * STEP);
        assertThat(r.observed()[61 - 48]).isFalse();
        assertThat(r.observed()[62 - 48]).isFalse();
        assertThat(r.observed()[60 - 48]).isTrue();
        assertThat(r.values()[60 - 48]).isEqualTo(60f);
    }

    @Test
    void gapLongerThanMaxGapStepsResetsTheSeriesToWarmUp() {
        feed(0, 40);
        long restart = T0 + 46 * STEP; // 5 missing steps
        configured.accept(state, pt(restart, 100), out);
        // held: one point past the gap could be a wrong timestamp
        assertThat(out.points).hasSize(41);
        assertThat(PatchAssembler.hasPending(state)).isTrue();
        configured.accept(state, pt(restart + STEP, 101), out); // the next one confirms the series moved on
        assertThat(PatchAssembler.hasPending(state)).isFalse();

        PatchPoint first = out.points.get(41);
        assertThat(first.timestamp()).isEqualTo(restart);
        assertThat(first.patchStart()).isEqualTo(restart);
        assertThat(first.stepIndex()).isZero();
        assertThat(first.expectForecast()).isFalse();
        assertThat(state.anchor).isEqualTo(restart);
        assertThat(state.frontier).isEqualTo(1);
        assertThat(out.requests).hasSize(1);
        assertThat(out.dead).isEmpty();

        for (int i = 2; i <= 31; i++) {
            configured.accept(state, pt(restart + i * STEP, 100 + i), out);
        }
        assertThat(out.points.subList(41, 73)).noneMatch(PatchPoint::expectForecast);
        assertThat(out.requests).hasSize(2);
        InferenceRequest r = out.requests.get(1);
        assertThat(r.patchStart()).isEqualTo(restart + 32 * STEP);
        assertThat(r.values()).containsExactly(range(100, 132)); // nothing from before the reset
        assertThat(r.observed()).containsExactly(allTrue(32));

        configured.accept(state, pt(restart + 32 * STEP, 132), out);
        assertThat(out.lastPoint().expectForecast()).isTrue();
    }

    @Test
    void resetDoesNotLeaveOldObservationsInTheNewContext() {
        feed(0, 40);
        long restart = T0 + 50 * STEP;
        configured.accept(state, pt(restart, 100), out);
        // a hole at new slots 1..4 sits where old slots 1..4 (ring 1..4) were observed
        for (int i = 5; i <= 31; i++) {
            configured.accept(state, pt(restart + i * STEP, 100 + i), out);
        }
        InferenceRequest r = out.requests.get(out.requests.size() - 1);
        assertThat(r.patchStart()).isEqualTo(restart + 32 * STEP);
        assertThat(r.observed()[0]).isTrue();
        assertThat(r.observed()[1]).isFalse();
        assertThat(r.observed()[4]).isFalse();
        assertThat(r.observed()[5]).isTrue();
    }

    @Test
    void aLoneTimestampFarAheadIsATimestampJumpAndTheSeriesGoesOn() {
        feed(0, 40);
        long wrong = T0 + 1000 * STEP; // one point from a clock far ahead
        configured.accept(state, pt(wrong, -1), out);
        feed(41, 47);

        assertThat(out.dead).hasSize(1);
        assertThat(out.dead.get(0).reason()).isEqualTo(Reason.TIMESTAMP_JUMP);
        assertThat(out.dead.get(0).point().timestamp()).isEqualTo(wrong);
        assertThat(out.dead.get(0).detail()).contains("960 steps after the newest point").contains("continues the series");
        assertThat(state.anchor).isEqualTo(T0);
        assertThat(state.frontier).isEqualTo(47);
        assertThat(out.points).extracting(PatchPoint::timestamp)
                .containsExactly(java.util.stream.LongStream.rangeClosed(0, 47).mapToObj(s -> T0 + s * STEP)
                        .toArray(Long[]::new));
    }

    // ---- scrape interval changed after the step was inferred ----

    /** Feeds points at {@code ts} (ms after T0), values 0, 1, 2, ... continuing {@code next}. */
    static int feedAt(PatchAssembler a, SeriesState s, Recorder out, int next, long... ts) {
        for (long t : ts) {
            a.accept(s, pt(T0 + t, next++), out);
        }
        return next;
    }

    static long[] every(long from, long step, int n) {
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            ts[i] = from + i * step;
        }
        return ts;
    }

    @Test
    void aHalvedScrapeIntervalIsInferredAgainInsteadOfEveryOtherPointBeingADuplicate() {
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        int v = feedAt(a, s, out, 0, every(0, 60_000, 40));
        assertThat(s.stepMillis).isEqualTo(60_000);
        feedAt(a, s, out, v, every(40 * 60_000L, 30_000, 100));

        assertThat(s.stepMillis).isEqualTo(30_000);
        // the window of 8 arrivals needs 4 off-grid intervals: 3 points fell on taken slots first
        assertThat(out.dead).extracting(DeadLetter::reason).containsOnly(Reason.DUPLICATE).hasSize(3);
        assertThat(out.points).hasSize(140 - 3);
        long restart = s.anchor;
        assertThat(restart).isEqualTo(T0 + 40 * 60_000L + 8 * 30_000L);
        // from the restart on, every point has its own slot on the 30 s grid, and forecasts resume
        List<PatchPoint> after = out.points.subList(out.points.size() - 92, out.points.size());
        assertThat(after.get(0).timestamp()).isEqualTo(restart);
        assertThat(after).allMatch(p -> p.stepMillis() == 30_000);
        assertThat(after).extracting(p -> p.patchStart() + p.stepIndex() * 30_000L)
                .containsExactlyElementsOf(after.stream().map(PatchPoint::timestamp).toList());
        InferenceRequest last = out.requests.get(out.requests.size() - 1);
        assertThat(last.stepMillis()).isEqualTo(30_000);
        assertThat(last.observed()).containsExactly(allTrue(32));
    }

    @Test
    void aLongerScrapeIntervalIsInferredAgainInsteadOfHolesInEveryOtherSlot() {
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        int v = feedAt(a, s, out, 0, every(0, 60_000, 40));
        feedAt(a, s, out, v, every(40 * 60_000L, 90_000, 60)); // 1.5 steps: slots advance 1, 2, 1, 2 ...

        assertThat(s.stepMillis).isEqualTo(90_000);
        assertThat(out.dead).isEmpty();
        assertThat(out.points).hasSize(100);
        InferenceRequest last = out.requests.get(out.requests.size() - 1);
        assertThat(last.observed()).containsExactly(allTrue(32)); // no holes on the new grid
    }

    @Test
    void anIntervalBeyondTheMaxGapIsInferredAgainSoTheSeriesStopsRestarting() {
        // max-gap 4 steps: at 10 s every point of a 1 s series would restart its context
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        int v = feedAt(a, s, out, 0, every(0, STEP, 40));
        feedAt(a, s, out, v, every(40 * STEP + 10_000, 10_000, 60));

        assertThat(s.stepMillis).isEqualTo(10_000);
        assertThat(out.dead).isEmpty();
        assertThat(out.points).hasSize(100);
        assertThat(out.requests.get(out.requests.size() - 1).stepMillis()).isEqualTo(10_000);
        assertThat(out.lastPoint().expectForecast()).isTrue();
    }

    @Test
    void missedScrapesAndJitterKeepTheInferredStep() {
        PatchAssembler a = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = a.newState();
        // 15 s scrape, +-40 ms jitter, one scrape in three lost for a while, then half of them
        List<Long> ts = new ArrayList<>();
        long[] jitter = {0, 12, -7, 31, -40, 3, 18, -22, 9, 40, -15, 1};
        for (int i = 0; i < 400; i++) {
            boolean lost = (i >= 100 && i < 200 && i % 3 == 0) || (i >= 250 && i < 330 && (i * 7) % 10 < 5);
            if (!lost) {
                ts.add(i * 15_000L + jitter[i % jitter.length]);
            }
        }
        feedAt(a, s, out, 0, ts.stream().mapToLong(Long::longValue).toArray());

        assertThat(s.stepMillis).isEqualTo(15_000);
        assertThat(s.anchor).isEqualTo(T0);
        assertThat(out.dead).isEmpty();
        assertThat(out.points).hasSize(ts.size());
    }

    @Test
    void aConfiguredStepIsKeptWhenPointsComeTwiceAsOften() {
        feed(0, 40);
        for (int i = 1; i <= 20; i++) {
            configured.accept(state, pt(T0 + 40 * STEP + i * STEP / 2, i), out);
        }
        assertThat(state.stepMillis).isEqualTo(STEP);
        assertThat(out.dead).extracting(DeadLetter::reason).containsOnly(Reason.DUPLICATE).hasSize(10);
    }

    @Test
    void aJumpStillHeldWhenTheInputEndsStartsANewContext() {
        feed(0, 40);
        long restart = T0 + 1000 * STEP;
        configured.accept(state, pt(restart, 7), out);
        assertThat(out.points).hasSize(41);

        configured.flush(state, out);

        assertThat(out.dead).isEmpty();
        assertThat(out.lastPoint().timestamp()).isEqualTo(restart);
        assertThat(state.anchor).isEqualTo(restart);
        assertThat(PatchAssembler.hasPending(state)).isFalse();
    }

    /** The same assembler settings as {@link #config} with context {@code context} and step {@code step}. */
    static PatchAssembler restoredWith(int context, Duration step) {
        return new PatchAssembler(new PatchConfig(16, context, step, 8, Duration.ofSeconds(5), 4));
    }

    @Test
    void aLargerContextAfterARestoreReadsWhatTheSeriesKeptAndNothingWrappedAround() {
        feed(0, 99); // context 32: the ring (48 slots) holds slots 52..99
        PatchAssembler larger = restoredWith(64, Duration.ofMillis(STEP));
        for (long s = 100; s <= 111; s++) {
            larger.accept(state, at(s), out);
        }
        InferenceRequest r = out.requests.get(out.requests.size() - 1);
        assertThat(r.patchStart()).isEqualTo(T0 + 112 * STEP);
        assertThat(r.values()).hasSize(64); // slots 48..111
        for (int i = 0; i < 64; i++) {
            long slot = 48 + i;
            if (slot < 52) {
                // before the fix these read slots 96..99 through the old ring, marked observed
                assertThat(r.observed()[i]).as("slot %d", slot).isFalse();
            } else {
                assertThat(r.observed()[i]).as("slot %d", slot).isTrue();
                assertThat(r.values()[i]).as("slot %d", slot).isEqualTo((float) slot);
            }
        }
        assertThat(out.dead).isEmpty();
    }

    @Test
    void aShorterContextAfterARestoreKeepsTheNewestSlots() {
        PatchAssembler longer = restoredWith(64, Duration.ofMillis(STEP));
        SeriesState s = longer.newState();
        for (long slot = 0; slot <= 99; slot++) {
            longer.accept(s, at(slot), out);
        }
        for (long slot = 100; slot <= 111; slot++) {
            configured.accept(s, at(slot), out); // context 32 now
        }
        InferenceRequest r = out.requests.get(out.requests.size() - 1);
        assertThat(r.values()).containsExactly(range(80, 112));
        assertThat(r.observed()).containsExactly(allTrue(32));
        assertThat(s.ring).hasSize(48);
    }

    @Test
    void aChangedConfiguredStepAfterARestoreRestartsTheSeriesOnTheNewGrid() {
        feed(0, 40);
        PatchAssembler halved = restoredWith(32, Duration.ofMillis(STEP / 2));
        int before = out.points.size();
        for (int k = 0; k < 100; k++) {
            halved.accept(state, pt(T0 + 41 * STEP + k * STEP / 2, k), out);
        }
        assertThat(out.dead).isEmpty(); // before the fix every other point was a DUPLICATE
        List<PatchPoint> after = out.points.subList(before, out.points.size());
        assertThat(after).hasSize(100).allMatch(p -> p.stepMillis() == STEP / 2);
        assertThat(after.get(0).patchStart()).isEqualTo(T0 + 41 * STEP); // a new grid from the first point
    }

    @Test
    void pointsHeldForStepInferenceArePlacedOnANewlyConfiguredStep() {
        PatchAssembler inferring = new PatchAssembler(config(Duration.ZERO));
        SeriesState s = inferring.newState();
        for (int i = 0; i < 3; i++) {
            inferring.accept(s, at(i), out); // fewer than the 8 inference points: held
        }
        assertThat(out.points).isEmpty();
        configured.accept(s, at(3), out);
        assertThat(out.points).extracting(PatchPoint::timestamp)
                .containsExactly(T0, T0 + STEP, T0 + 2 * STEP, T0 + 3 * STEP);
        assertThat(out.dead).isEmpty();
    }
}
