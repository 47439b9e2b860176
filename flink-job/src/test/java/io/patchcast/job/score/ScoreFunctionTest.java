package io.patchcast.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.Tags;
import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.alert.AlertPolicy;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.patch.PatchPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;

class ScoreFunctionTest {

    static final String KEY = "disk{dev=\"sda\"}";
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 1_000;
    static final long PATCH = T0 + 32 * STEP;
    static final AlertPolicy POLICY = new AlertPolicy(2, 3, 2, Duration.ofMinutes(5));

    static KeyedTwoInputStreamOperatorTestHarness<String, PatchPoint, ForecastResult, ScoredPoint> harness()
            throws Exception {
        ScoreFunction fn = new ScoreFunction(ScoreConfig.tail(0.99), POLICY, Duration.ofSeconds(5), Duration.ofDays(7));
        return new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(fn),
                PatchPoint::seriesKey, ForecastResult::seriesKey, Types.STRING);
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, PatchPoint, ForecastResult, ScoredPoint> opened()
            throws Exception {
        var h = harness();
        h.open();
        return h;
    }

    static PatchPoint pp(int idx, double value) {
        return new PatchPoint(KEY, PATCH + idx * STEP, value, PATCH, idx, STEP, true);
    }

    static ForecastResult forecast() {
        return Forecasts.normal(KEY, PATCH, STEP, 10, 0, 2);
    }

    static List<AlertEvent> alerts(KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, ?> h) {
        Queue<StreamRecord<AlertEvent>> q = h.getSideOutput(Tags.ALERTS);
        List<AlertEvent> out = new ArrayList<>();
        if (q != null) {
            q.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    @Test
    void pointBeforeItsForecastIsBufferedThenScoredWhenTheForecastArrives() throws Exception {
        try (var h = opened()) {
            h.processElement1(pp(0, 10.0), PATCH);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);

            h.processElement2(forecast(), PATCH - STEP);

            List<ScoredPoint> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            ScoredPoint s = out.get(0);
            assertThat(s.timestamp()).isEqualTo(PATCH);
            assertThat(s.score()).isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-12));
            assertThat(s.flagged()).isFalse();
            assertThat(s.model()).isEqualTo(Forecasts.MODEL);
        }
    }

    @Test
    void pointAfterItsForecastIsScoredAtOnce() throws Exception {
        try (var h = opened()) {
            h.processElement2(forecast(), PATCH - STEP);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement1(pp(1, 30.0), PATCH + STEP);
            assertThat(h.extractOutputValues()).singleElement()
                    .satisfies(s -> assertThat(s.flagged()).isTrue());
        }
    }

    @Test
    void alertTransitionsGoToTheAlertsSideOutput() throws Exception {
        try (var h = opened()) {
            h.processElement2(forecast(), PATCH - STEP);
            h.processElement1(pp(0, 30.0), PATCH);
            assertThat(alerts(h)).isEmpty();
            h.processElement1(pp(1, 31.0), PATCH + STEP);
            assertThat(alerts(h)).singleElement().satisfies(e -> {
                assertThat(e.firing()).isTrue();
                assertThat(e.seriesKey()).isEqualTo(KEY);
                assertThat(e.episodeStart()).isEqualTo(PATCH);
                assertThat(e.timestamp()).isEqualTo(PATCH + STEP);
                assertThat(e.points()).isEqualTo(2);
            });
            h.processElement1(pp(2, 10.0), PATCH + 2 * STEP);
            h.processElement1(pp(3, 10.0), PATCH + 3 * STEP);
            assertThat(alerts(h)).hasSize(2);
            AlertEvent resolved = alerts(h).get(1);
            assertThat(resolved.firing()).isFalse();
            assertThat(resolved.episodeEnd()).isEqualTo(PATCH + STEP);
            assertThat(h.extractOutputValues()).extracting(ScoredPoint::flagged)
                    .containsExactly(true, true, false, false);
        }
    }

    @Test
    void bufferedPointSurvivesSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = opened()) {
            h.processElement1(pp(0, 30.0), PATCH); // flagged once scored
            h.processElement1(pp(1, 10.0), PATCH + STEP);
            assertThat(h.extractOutputValues()).isEmpty();
            snapshot = h.snapshot(1L, 1L);
        }
        List<ScoredPoint> expected;
        try (var h = opened()) {
            h.processElement1(pp(0, 30.0), PATCH);
            h.processElement1(pp(1, 10.0), PATCH + STEP);
            h.processElement2(forecast(), PATCH - STEP);
            h.processElement1(pp(2, 30.0), PATCH + 2 * STEP);
            expected = h.extractOutputValues();
            assertThat(alerts(h)).hasSize(1);
        }
        try (var h = harness()) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            h.processElement2(forecast(), PATCH - STEP);
            assertThat(h.extractOutputValues()).hasSize(2);
            h.processElement1(pp(2, 30.0), PATCH + 2 * STEP); // 2 of the last 3 flagged: the alert
            // state (window of flags) came back too

            assertThat(h.extractOutputValues()).isEqualTo(expected);
            assertThat(alerts(h)).singleElement().satisfies(e -> {
                assertThat(e.firing()).isTrue();
                assertThat(e.episodeStart()).isEqualTo(PATCH);
            });
        }
    }

    /** Fires the alert with two flagged points (2 of 3); the newest scored point is PATCH + STEP. */
    static void fire(KeyedTwoInputStreamOperatorTestHarness<String, PatchPoint, ForecastResult, ScoredPoint> h)
            throws Exception {
        h.processElement2(forecast(), PATCH - STEP);
        h.processElement1(pp(0, 30.0), PATCH);
        h.processElement1(pp(1, 31.0), PATCH + STEP);
        assertThat(alerts(h)).singleElement().satisfies(e -> assertThat(e.firing()).isTrue());
    }

    @Test
    void aFiringAlertWhoseSeriesGoesQuietResolvesOnceTheWatermarkPassesTheQuietSpan() throws Exception {
        // quiet span: 2 x recover-after (2) x step (1 s) = 4 s after the newest scored point
        long due = PATCH + STEP + ScoreFunction.QUIET_STEPS * POLICY.recoverAfter() * STEP;
        try (var h = opened()) {
            fire(h);
            h.processBothWatermarks(new Watermark(due - 1)); // other series move event time on
            assertThat(alerts(h)).hasSize(1);
            h.processBothWatermarks(new Watermark(due));
            assertThat(alerts(h)).hasSize(2);
            AlertEvent resolved = alerts(h).get(1);
            assertThat(resolved.firing()).isFalse();
            assertThat(resolved.timestamp()).isEqualTo(due);
            assertThat(resolved.episodeStart()).isEqualTo(PATCH);
            assertThat(resolved.episodeEnd()).isEqualTo(PATCH + STEP);
            assertThat(h.numEventTimeTimers()).isZero();
            // the series comes back flagged within the cooldown: the episode re-opens, merged
            h.processElement1(pp(2, 30.0), PATCH + 2 * STEP);
            h.processElement1(pp(3, 30.0), PATCH + 3 * STEP);
            assertThat(alerts(h)).hasSize(3);
            assertThat(alerts(h).get(2).firing()).isTrue();
            assertThat(alerts(h).get(2).merged()).isTrue();
        }
    }

    @Test
    void aSeriesThatKeepsSendingIsNotQuietAndTheEndOfInputResolvesNothing() throws Exception {
        try (var h = opened()) {
            fire(h);
            for (int i = 2; i < 16; i++) {
                h.processElement1(pp(i, 30.0), PATCH + i * STEP); // still flagged, point after point
                h.processBothWatermarks(new Watermark(PATCH + i * STEP));
            }
            assertThat(alerts(h)).hasSize(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1); // one timer per firing series, moved along
            h.processBothWatermarks(new Watermark(Long.MAX_VALUE)); // a drained stop, the end of bounded input
            assertThat(alerts(h)).hasSize(1);
        }
    }

    @Test
    void aResolvedAlertLeavesNoQuietTimer() throws Exception {
        try (var h = opened()) {
            fire(h);
            h.processElement1(pp(2, 10.0), PATCH + 2 * STEP);
            h.processElement1(pp(3, 10.0), PATCH + 3 * STEP); // recover-after 2: resolved by clean points
            assertThat(alerts(h)).hasSize(2);
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
