package io.patchcast.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.patch.PatchPoint;
import org.junit.jupiter.api.Test;

/** {@link AnomalyScorer} with the default LIKELIHOOD method: flagged = score >= threshold, after warm-up. */
class AnomalyScorerLikelihoodTest {

    static final ScoreConfig CONFIG = ScoreConfig.likelihood(0.99, 0.3, 3, 3000);
    static final long PATCH = SeriesScorerTest.PATCH_A;

    static ScoredPoint score(AnomalyScorer a, ScoreState s, double value) {
        PatchPoint p = SeriesScorerTest.pp(PATCH, 0, value, true);
        ForecastResult f = SeriesScorerTest.forecast(PATCH); // Normal(10, 2) every step
        return a.score(s, p, f);
    }

    @Test
    void farValuesFlagOnlyAfterTheHistoryWarmUp() {
        AnomalyScorer a = new AnomalyScorer(CONFIG);
        ScoreState s = new ScoreState();
        // a value 10 sigma out during the first 64 scored points: score 0, never flagged
        ScoredPoint early = score(a, s, 30.0);
        assertThat(early.score()).isZero();
        assertThat(early.flagged()).isFalse();
        assertThat(early.lower()).isLessThan(10).isGreaterThan(4); // interval at level 0.99 still reported
        for (int i = 1; i < ScoreConfig.MIN_HISTORY + 100; i++) {
            // values alternating around the median: tail probabilities 1 and 0.617 (|z| = 0.5)
            score(a, s, i % 2 == 0 ? 10.0 : 11.0);
        }
        ScoredPoint calm = score(a, s, 10.0);
        assertThat(calm.score()).isLessThan(0.3);
        assertThat(calm.flagged()).isFalse();
        // one far point weighs 1/3 of the short window, and the warm-up outlier still widens the
        // history: not yet flagged; a second one in a row is
        ScoredPoint first = score(a, s, 30.0);
        assertThat(first.score()).isGreaterThan(calm.score()).isLessThan(0.3);
        assertThat(first.flagged()).isFalse();
        ScoredPoint second = score(a, s, 30.0);
        assertThat(second.score()).isGreaterThanOrEqualTo(0.3).isLessThan(1.0);
        assertThat(second.flagged()).isTrue();
    }

    @Test
    void exactlyTheFirstMinHistoryScoredPointsAreInTheHistoryWarmUp() {
        AnomalyScorer a = new AnomalyScorer(CONFIG);
        ScoreState s = new ScoreState();
        for (int i = 0; i < ScoreConfig.MIN_HISTORY; i++) {
            ScoredPoint p = score(a, s, 30.0); // far out: would score high if scored
            assertThat(p.historyWarmup()).as("point %d", i).isTrue();
            assertThat(p.warmup()).isFalse(); // a forecast covered it
            assertThat(p.scoredPastWarmup()).isFalse();
            assertThat(p.score()).isZero();
        }
        ScoredPoint next = score(a, s, 10.0);
        assertThat(next.historyWarmup()).isFalse();
        assertThat(next.scoredPastWarmup()).isTrue();
        // with TAIL there is no history to build: scored from the first covered point
        ScoredPoint tail = new AnomalyScorer(ScoreConfig.tail(0.99)).score(new ScoreState(),
                SeriesScorerTest.pp(PATCH, 0, 30.0, true), SeriesScorerTest.forecast(PATCH));
        assertThat(tail.historyWarmup()).isFalse();
        assertThat(tail.flagged()).isTrue();
    }
}
