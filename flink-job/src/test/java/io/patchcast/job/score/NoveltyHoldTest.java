package io.patchcast.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The novelty hold in {@link AnomalyScorer}: a rule firing again within the hold does not score 1. */
class NoveltyHoldTest {

    static ScoreConfig config(int hold) {
        return ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withRangeTolerance(0.05).withNoveltyHold(hold);
    }

    /**
     * After a warm history of 6, 8, .., 14 under Normal(10, 2), scores a run of new highs and
     * ordinary 10s; returns the scores of the values given.
     */
    static double[] scores(int hold, double... values) {
        AnomalyScorer scorer = new AnomalyScorer(config(hold));
        ScoreState s = new ScoreState();
        for (int i = 0; i < ScoreConfig.MIN_HISTORY + 200; i++) {
            AnomalyScorerLikelihoodTest.score(scorer, s, 6 + 2 * (i % 5));
        }
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = AnomalyScorerLikelihoodTest.score(scorer, s, values[i]).score();
        }
        return out;
    }

    static final double[] RUN = {20, 30, 40, 10, 10, 50, 10, 10, 10, 60};

    @Test
    void withoutAHoldEveryNewHighScoresOne() {
        double[] s = scores(0, RUN);
        for (int i : new int[] {0, 1, 2, 5, 9}) {
            assertThat(s[i]).as("new high %s", RUN[i]).isEqualTo(1.0);
        }
        assertThat(s[3]).isLessThan(1.0);
    }

    @Test
    void withAHoldOnlyTheFirstFiringAfterAQuietSpellScoresOne() {
        double[] s = scores(3, RUN);
        assertThat(s[0]).as("20: first firing").isEqualTo(1.0);
        assertThat(s[1]).as("30: 1 point after a firing").isLessThan(1.0);
        assertThat(s[2]).as("40: 1 point after a firing").isLessThan(1.0);
        // the held points keep their likelihood score: far out under Normal(10, 2), flagged at 0.3
        assertThat(s[1]).isGreaterThan(0.3);
        assertThat(s[5]).as("50: 3 points after the firing at 40, within the hold of 3").isLessThan(1.0);
        assertThat(s[9]).as("60: 4 points after the firing at 50, past the hold").isEqualTo(1.0);
    }

    @Test
    void theHoldIsBounded() {
        assertThatThrownBy(() -> config(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noveltyHold");
        assertThat(ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withRangeTolerance(0.05).noveltyHold()).isZero();
    }
}
