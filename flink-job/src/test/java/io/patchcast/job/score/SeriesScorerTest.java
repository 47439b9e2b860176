package io.patchcast.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.alert.AlertPolicy;
import io.patchcast.job.alert.AlertTracker;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.patch.PatchPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesScorerTest {

    static final String KEY = "mem{pod=\"x\"}";
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 1_000;
    static final long LATENESS = 5_000;
    static final long PATCH_A = T0 + 32 * STEP;
    static final long PATCH_B = T0 + 48 * STEP;
    static final double Z995 = 2.5758293035489;
    static final double Z99 = 2.3263478740408;

    static final class Recorder implements SeriesScorer.Output {
        final List<ScoredPoint> scored = new ArrayList<>();
        final List<Boolean> firing = new ArrayList<>();
        final List<AlertEvent> alerts = new ArrayList<>();

        @Override
        public void scored(ScoredPoint p, boolean alertFiring) {
            scored.add(p);
            firing.add(alertFiring);
        }

        @Override
        public void alert(AlertEvent e) {
            alerts.add(e);
        }
    }

    final AnomalyScorer anomaly = new AnomalyScorer(ScoreConfig.tail(0.99));
    final SeriesScorer scorer = new SeriesScorer(anomaly,
            new AlertTracker(new AlertPolicy(2, 3, 2, Duration.ofMinutes(1))), LATENESS);
    final ScoreState state = scorer.newState();
    final Recorder out = new Recorder();

    /** A point of the patch starting at {@code patchStart}, at step {@code idx}. */
    static PatchPoint pp(long patchStart, int idx, double value, boolean expectForecast) {
        return new PatchPoint(KEY, patchStart + idx * STEP, value, patchStart, idx, STEP, expectForecast);
    }

    static ForecastResult forecast(long patchStart) {
        return Forecasts.normal(KEY, patchStart, STEP, 10, 0, 2);
    }

    @Test
    void testNormalQuantilesAreAccurate() {
        assertThat(Forecasts.inverseNormalCdf(0.995)).isCloseTo(Z995, within(1e-8));
        assertThat(Forecasts.inverseNormalCdf(0.01)).isCloseTo(-Z99, within(1e-8));
        assertThat(Forecasts.inverseNormalCdf(0.0005)).isCloseTo(-3.2905267314919, within(1e-8));
    }

    // ---- scores against a known distribution ----

    @Test
    void pointAtTheMedianScoresZeroAndIsNotFlagged() {
        ScoredPoint s = anomaly.score(new ScoreState(), pp(PATCH_A, 0, 10.0, true), forecast(PATCH_A));
        assertThat(s.score()).isCloseTo(0.0, within(1e-12));
        assertThat(s.flagged()).isFalse();
        assertThat(s.warmup()).isFalse();
        assertThat(s.expected()).isCloseTo(10.0, within(1e-6));
        assertThat(s.lower()).isCloseTo(10 - 2 * Z995, within(1e-5));
        assertThat(s.upper()).isCloseTo(10 + 2 * Z995, within(1e-5));
        assertThat(s.level()).isEqualTo(0.99);
        assertThat(s.model()).isEqualTo(Forecasts.MODEL);
        assertThat(s.modelVersion()).isEqualTo(Forecasts.VERSION);
        assertThat(s.insideInterval()).isTrue();
    }

    @Test
    void pointAtTheEdgeOfTheNinetyNinePercentIntervalScoresPointNineNine() {
        ScoredPoint s = anomaly.score(new ScoreState(), pp(PATCH_A, 3, 10 + 2 * 2.5758, true), forecast(PATCH_A));
        assertThat(s.score()).isCloseTo(0.99, within(1e-4));
    }

    @Test
    void pointBetweenGridQuantilesScoresByLinearInterpolation() {
        double q26 = 10 + 2 * Z99; // level 0.99
        double q27 = 10 + 2 * Z995; // level 0.995
        double cdf = 0.99 + 0.005 * (15.0 - q26) / (q27 - q26);
        double expected = 1 - 2 * (1 - cdf); // ~0.98696
        ScoredPoint s = anomaly.score(new ScoreState(), pp(PATCH_A, 5, 15.0, true), forecast(PATCH_A));
        assertThat(s.score()).isCloseTo(expected, within(1e-6)).isCloseTo(0.98696, within(1e-5));
        assertThat(s.flagged()).isFalse();
    }

    @Test
    void pointFarOutsideIsFlaggedWithAScoreNearOne() {
        ScoredPoint hi = anomaly.score(new ScoreState(), pp(PATCH_A, 0, 30.0, true), forecast(PATCH_A));
        assertThat(hi.flagged()).isTrue();
        assertThat(hi.score()).isGreaterThan(0.999).isLessThanOrEqualTo(1.0);
        assertThat(hi.insideInterval()).isFalse();

        // below: z = -3 lies between levels 0.001 (z -3.0902) and 0.0025 (z -2.8070)
        double q1 = 10 + 2 * Forecasts.inverseNormalCdf(0.001);
        double q2 = 10 + 2 * Forecasts.inverseNormalCdf(0.0025);
        double cdf = 0.001 + 0.0015 * (4.0 - q1) / (q2 - q1);
        ScoredPoint lo = anomaly.score(new ScoreState(), pp(PATCH_A, 0, 4.0, true), forecast(PATCH_A));
        assertThat(lo.flagged()).isTrue();
        assertThat(lo.score()).isCloseTo(1 - 2 * cdf, within(1e-6));
    }

    @Test
    void eachPointIsScoredAgainstItsOwnStep() {
        ForecastResult drifting = Forecasts.normal(KEY, PATCH_A, STEP, 10, 1, 2); // step h ~ N(10 + h, 2)
        ScoredPoint s = anomaly.score(new ScoreState(), pp(PATCH_A, 7, 17.0, true), drifting);
        assertThat(s.score()).isCloseTo(0.0, within(1e-12));
        assertThat(s.expected()).isCloseTo(17.0, within(1e-6));
        ScoredPoint t = anomaly.score(new ScoreState(), pp(PATCH_A, 0, 17.0, true), drifting);
        assertThat(t.score()).isGreaterThan(0.99);
    }

    @Test
    void warmUpPointScoresZeroAndIsNeverFlagged() {
        ScoredPoint s = anomaly.score(new ScoreState(), pp(T0, 0, 1e9, false), null);
        assertThat(s.warmup()).isTrue();
        assertThat(s.score()).isZero();
        assertThat(s.flagged()).isFalse();
        assertThat(s.expected()).isNaN();
        assertThat(s.model()).isEqualTo(ScoredPoint.NO_MODEL);
        assertThat(s.insideInterval()).isFalse();
    }

    @Test
    void pointBeyondTheForecastHorizonIsAnError() {
        PatchPoint p = new PatchPoint(KEY, PATCH_A, 1, PATCH_A, 16, STEP, true);
        assertThatThrownBy(() -> anomaly.score(new ScoreState(), p, forecast(PATCH_A)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("step 16 of its patch but the forecast has 16 steps");
    }

    // ---- joining points with forecasts ----

    @Test
    void pointWaitsForItsForecastThenIsScoredWithIt() {
        scorer.onPoint(state, pp(PATCH_A, 0, 30.0, true), out);
        assertThat(out.scored).isEmpty();
        assertThat(SeriesScorer.waiting(state)).isEqualTo(1);

        scorer.onForecast(state, forecast(PATCH_A), out);

        assertThat(out.scored).hasSize(1);
        assertThat(out.scored.get(0)).isEqualTo(anomaly.score(new ScoreState(), pp(PATCH_A, 0, 30.0, true), forecast(PATCH_A)));
        assertThat(SeriesScorer.waiting(state)).isZero();
    }

    @Test
    void pointsAreScoredInArrivalOrderWhenForecastsArriveOutOfOrder() {
        scorer.onPoint(state, pp(PATCH_A, 15, 10.0, true), out);
        scorer.onPoint(state, pp(PATCH_B, 0, 10.0, true), out);
        scorer.onPoint(state, pp(PATCH_B, 1, 10.0, true), out);

        scorer.onForecast(state, forecast(PATCH_B), out);
        assertThat(out.scored).isEmpty(); // B's points are behind A's
        assertThat(SeriesScorer.waiting(state)).isEqualTo(3);

        scorer.onForecast(state, forecast(PATCH_A), out);
        assertThat(out.scored).extracting(ScoredPoint::timestamp)
                .containsExactly(PATCH_A + 15 * STEP, PATCH_B, PATCH_B + STEP);
        assertThat(out.scored).noneMatch(ScoredPoint::warmup);
    }

    @Test
    void warmUpPointsBehindAWaitingPointAlsoWait() {
        scorer.onPoint(state, pp(PATCH_A, 0, 10.0, true), out);
        scorer.onPoint(state, pp(PATCH_A, 1, 99.0, false), out); // e.g. a late fill of a warm-up patch
        assertThat(out.scored).isEmpty();

        scorer.onForecast(state, forecast(PATCH_A), out);
        assertThat(out.scored).extracting(ScoredPoint::warmup).containsExactly(false, true);
    }

    @Test
    void warmUpPointWithNothingAheadIsScoredAtOnce() {
        scorer.onPoint(state, pp(T0, 0, 10.0, false), out);
        assertThat(out.scored).hasSize(1);
        assertThat(out.scored.get(0).warmup()).isTrue();
    }

    @Test
    void forecastIsEvictedOnceNoPointWithinLatenessCanNeedIt() {
        scorer.onForecast(state, forecast(PATCH_A), out);
        scorer.onForecast(state, forecast(PATCH_B), out);
        for (int i = 0; i < 16; i++) {
            scorer.onPoint(state, pp(PATCH_A, i, 10.0, true), out);
        }
        for (int i = 0; i < 5; i++) {
            scorer.onPoint(state, pp(PATCH_B, i, 10.0, true), out); // up to A's end + 4 s
        }
        assertThat(state.forecasts).hasSize(2);

        scorer.onPoint(state, pp(PATCH_B, 5, 10.0, true), out); // A's end + 5 s = lateness
        assertThat(state.forecasts).extracting(ForecastResult::patchStart).containsExactly(PATCH_B);
        assertThat(out.scored).hasSize(22);
        assertThat(state.maxTimestamp).isEqualTo(PATCH_B + 5 * STEP);
    }

    @Test
    void forecastNeededByAQueuedPointIsKept() {
        scorer.onForecast(state, forecast(PATCH_B), out);
        scorer.onPoint(state, pp(PATCH_A, 0, 10.0, true), out); // waits for A
        scorer.onForecast(state, forecast(PATCH_A), out);
        assertThat(out.scored).hasSize(1);
        assertThat(state.forecasts).hasSize(2);
    }

    @Test
    void staleForecastIsDroppedOnArrival() {
        scorer.onPoint(state, pp(T0 + 100 * STEP, 0, 10.0, false), out); // maxTimestamp = T0 + 100 s
        scorer.onForecast(state, forecast(PATCH_A), out); // ends at T0 + 48 s, long past
        assertThat(state.forecasts).isEmpty();
    }

    @Test
    void flagsFeedTheAlertTracker() {
        scorer.onForecast(state, forecast(PATCH_A), out);
        scorer.onPoint(state, pp(PATCH_A, 0, 30.0, true), out);
        scorer.onPoint(state, pp(PATCH_A, 1, 10.0, true), out);
        assertThat(out.alerts).isEmpty();
        scorer.onPoint(state, pp(PATCH_A, 2, -20.0, true), out); // 2 of the last 3
        assertThat(out.alerts).hasSize(1);
        AlertEvent e = out.alerts.get(0);
        assertThat(e.firing()).isTrue();
        assertThat(e.episodeStart()).isEqualTo(PATCH_A);
        assertThat(e.timestamp()).isEqualTo(PATCH_A + 2 * STEP);
        assertThat(out.firing).containsExactly(false, false, true);

        scorer.onPoint(state, pp(PATCH_A, 3, 10.0, true), out);
        scorer.onPoint(state, pp(PATCH_A, 4, 10.0, true), out);
        assertThat(out.alerts).hasSize(2);
        assertThat(out.alerts.get(1).firing()).isFalse();
        assertThat(out.alerts.get(1).episodeEnd()).isEqualTo(PATCH_A + 2 * STEP);
        assertThat(out.firing).containsExactly(false, false, true, true, false);
    }
}
