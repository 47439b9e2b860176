package io.patchcast.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link RangeNovelty} alone, and inside {@link AnomalyScorer}: a value beyond all earlier ones scores 1 after warm-up. */
class RangeNoveltyTest {

    @Test
    void novelOnlyBeyondTheRangePlusTheTolerance() {
        RangeNovelty r = new RangeNovelty(0.05);
        ScoreState s = new ScoreState();
        assertThat(r.observe(s, 10)).isFalse(); // first value: no range yet
        assertThat(r.observe(s, 30)).isFalse(); // one distinct value before: no range yet
        assertThat(s.rangeMin).isEqualTo(10);
        assertThat(s.rangeMax).isEqualTo(30);
        // range 20, margin 1: (9, 31) is ordinary, beyond it is novel
        assertThat(r.observe(s, 31.0)).isFalse(); // and widens the range to 21
        assertThat(r.observe(s, 32.0)).isFalse(); // 31 + 1.05
        assertThat(r.observe(s, 33.2)).isTrue(); // 32 + 1.1 = 33.1
        assertThat(r.observe(s, 8.9)).isFalse(); // 10 - 1.16
        assertThat(r.observe(s, 7.0)).isTrue(); // 8.9 - 1.215
        assertThat(s.rangeMin).isEqualTo(7.0);
        assertThat(s.rangeMax).isEqualTo(33.2);
    }

    @Test
    void toleranceMustBePositiveAndTheConfigAcceptsZeroAsOff() {
        assertThatThrownBy(() -> new RangeNovelty(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withRangeTolerance(-0.1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rangeTolerance");
        assertThat(ScoreConfig.likelihood(0.99, 0.3, 3, 3000).rangeTolerance()).isZero();
    }

    static final ScoreConfig ON = ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withRangeTolerance(0.05);

    /**
     * Feeds a series values 6, 8, .., 14 around the forecast's median 10 (Normal(10, 2)), with a 15
     * at the end of the warm-up, then {@code last}; returns the last point scored with the range
     * rule and without it.
     */
    static ScoredPoint[] afterHistory(double last) {
        AnomalyScorer withRange = new AnomalyScorer(ON);
        AnomalyScorer without = new AnomalyScorer(AnomalyScorerLikelihoodTest.CONFIG);
        ScoreState a = new ScoreState();
        ScoreState b = new ScoreState();
        for (int i = 0; i < ScoreConfig.MIN_HISTORY + 200; i++) {
            double v = i == ScoreConfig.MIN_HISTORY - 1 ? 15.0 : 6 + 2 * (i % 5);
            ScoredPoint p = AnomalyScorerLikelihoodTest.score(withRange, a, v);
            AnomalyScorerLikelihoodTest.score(without, b, v);
            if (i == ScoreConfig.MIN_HISTORY - 1) {
                assertThat(p.score()).as("beyond the range but in warm-up").isZero();
                assertThat(p.flagged()).isFalse();
            }
        }
        return new ScoredPoint[] {AnomalyScorerLikelihoodTest.score(withRange, a, last), AnomalyScorerLikelihoodTest.score(without, b, last)};
    }

    @Test
    void aValueBeyondTheRangeScoresOneAfterWarmUpButNotDuringIt() {
        // range [6, 15], margin 0.45: 15.4 is inside, 15.5 beyond. Under Normal(10, 2) both are
        // about as ordinary as the series' own 6s and 14s, so without the rule neither is flagged
        ScoredPoint[] inside = afterHistory(15.4);
        assertThat(inside[0].score()).isEqualTo(inside[1].score()).isLessThan(0.3);
        assertThat(inside[0].flagged()).isFalse();
        ScoredPoint[] beyond = afterHistory(15.5);
        assertThat(beyond[0].score()).isEqualTo(1.0);
        assertThat(beyond[0].flagged()).isTrue();
        assertThat(beyond[1].score()).isLessThan(0.3);
        assertThat(beyond[1].flagged()).isFalse();
    }

    @Test
    void theLikelihoodHistoryIsFedTheSameWithTheRule() {
        AnomalyScorer withRange = new AnomalyScorer(ON);
        AnomalyScorer without = new AnomalyScorer(AnomalyScorerLikelihoodTest.CONFIG);
        ScoreState a = new ScoreState();
        ScoreState b = new ScoreState();
        for (int i = 0; i < 400; i++) {
            double v = 10 + 0.05 * i; // a ramp: new highs all along, some beyond the tolerance
            AnomalyScorerLikelihoodTest.score(withRange, a, v);
            AnomalyScorerLikelihoodTest.score(without, b, v);
        }
        assertThat(a.historyMean).isEqualTo(b.historyMean);
        assertThat(a.historyVar).isEqualTo(b.historyVar);
        assertThat(a.rangeMax).isEqualTo(10 + 0.05 * 399);
    }

    @Test
    void theRangeStaysCurrentWhileTheRuleIsOffSoTurningItOnDoesNotFlagOldNews() {
        AnomalyScorer off = new AnomalyScorer(AnomalyScorerLikelihoodTest.CONFIG);
        AnomalyScorer on = new AnomalyScorer(ON);
        ScoreState s = new ScoreState();
        for (int i = 0; i < ScoreConfig.MIN_HISTORY + 100; i++) {
            AnomalyScorerLikelihoodTest.score(on, s, 6 + 2 * (i % 5)); // range [6, 14]
        }
        for (int i = 0; i < 100; i++) {
            AnomalyScorerLikelihoodTest.score(off, s, 20 + 2 * (i % 5)); // the rule off (a run configured so): [20, 28]
        }
        assertThat(s.rangeMax).isEqualTo(28);
        // on again: 27 is inside what the series showed while the rule was off, not beyond [6, 14]
        assertThat(AnomalyScorerLikelihoodTest.score(on, s, 27).score()).isLessThan(1.0);
    }
}
