package io.patchcast.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchcast.job.patch.PatchPoint;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link QuietNovelty}: a stretch flatter than any of the last week. */
class QuietNoveltyTest {

    static final long STEP = Duration.ofMinutes(5).toMillis();
    static final int DAY = 288;

    /** Point {@code i} of 5-minute days: 10 plus noise in [0, 1), 100 from 12:00 to 12:25 when {@code burst}. */
    static double bursty(int i, boolean burst, SplittableRandom noise) {
        int m = i % DAY;
        return (burst && m >= 144 && m < 150 ? 100 : 10) + noise.nextDouble();
    }

    @Test
    void aSeriesThatStopsBurstingIsNovelOnceItsDayIsFlatterThanTheWeeksQuietest() {
        QuietNovelty r = new QuietNovelty(DAY, 2);
        ScoreState s = new ScoreState();
        SplittableRandom noise = new SplittableRandom(5);
        for (int i = 0; i < 8 * DAY; i++) {
            assertThat(r.observe(s, i * STEP, bursty(i, true, noise))).as("point %d", i).isFalse();
        }
        // the ninth day has no burst: the day's spread falls from about 90 to under 1 at 12:25,
        // the first point whose last 288 do not hold the eighth day's burst (12:00 to 12:25)
        int first = -1;
        int count = 0;
        for (int i = 8 * DAY; i < 10 * DAY; i++) {
            if (r.observe(s, i * STEP, bursty(i, false, noise))) {
                first = first < 0 ? i : first;
                count++;
            }
        }
        assertThat(first).isEqualTo(8 * DAY + 149);
        // novel for the rest of that hour (12:25 to 12:55), whose own spreads are not compared yet;
        // from 13:00 the week's quietest spread is the new one
        assertThat(count).isEqualTo(7);
    }

    @Test
    void nothingIsNovelInTheFirstWeekNorInASteadyOrConstantSeries() {
        QuietNovelty r = new QuietNovelty(DAY, 2);
        // bursts that stop on the fourth day: flat from then on, but the series has no week yet,
        // and by the time it has, its flat days are the week's quietest
        ScoreState early = new ScoreState();
        SplittableRandom noise = new SplittableRandom(9);
        for (int i = 0; i < 10 * DAY; i++) {
            assertThat(r.observe(early, i * STEP, bursty(i, i < 3 * DAY, noise))).as("point %d", i).isFalse();
        }
        // three weeks of the same noise: its daily spreads differ by far less than a factor of 3
        ScoreState steady = new ScoreState();
        for (int i = 0; i < 21 * DAY; i++) {
            assertThat(r.observe(steady, i * STEP, 10 + noise.nextDouble())).isFalse();
        }
        // a constant series: the week's quietest spread is 0, below which nothing can fall
        ScoreState constant = new ScoreState();
        for (int i = 0; i < 9 * DAY; i++) {
            assertThat(r.observe(constant, i * STEP, 3.0)).isFalse();
        }
    }

    @Test
    void aSilenceLongerThanAWeekStartsTheWeekAgain() {
        QuietNovelty r = new QuietNovelty(DAY, 2);
        ScoreState s = new ScoreState();
        SplittableRandom noise = new SplittableRandom(13);
        for (int i = 0; i < 8 * DAY; i++) {
            r.observe(s, i * STEP, bursty(i, true, noise));
        }
        // back after 8 days without a point, without bursts: the spreads before the silence have
        // left the week, and the series has no new week yet
        long gap = 8 * DAY;
        for (int i = 16 * DAY; i < 18 * DAY; i++) {
            assertThat(r.observe(s, (i + gap) * STEP, bursty(i, false, noise))).isFalse();
        }
        assertThat(s.quietFirstBucket).isEqualTo(Math.floorDiv((16 * DAY + gap) * STEP, WeekOfHours.BUCKET));
    }

    @Test
    void anotherWindowStartsTheRuleAfreshAndAnOffRuleKeepsNoState() {
        ScoreState s = new ScoreState();
        new QuietNovelty(DAY, 2).observe(s, 0, 1.0);
        assertThat(s.quietValues).hasSize(DAY);
        new QuietNovelty(12, 2).observe(s, STEP, 2.0);
        assertThat(s.quietValues).hasSize(12);
        assertThat(s.quietCount).isEqualTo(1);
        assertThat(s.quietFirstBucket).isZero();

        // state restored from before the rule existed: its fields may be null
        ScoreState old = new ScoreState();
        old.quietValues = null;
        old.quietLow = null;
        assertThat(new QuietNovelty(DAY, 2).observe(old, 0, 1.0)).isFalse();
        assertThat(old.quietLow).hasSize(7 * 24 + 1);
        old.quietValues = null;
        QuietNovelty.clear(old);
        assertThat(old.quietValues).isEmpty();

        // the scorer with the rule off frees it
        AnomalyScorer off = new AnomalyScorer(ScoreConfig.likelihood(0.99, 0.3, 3, 3000));
        AnomalyScorerLikelihoodTest.score(off, s, 10.0);
        assertThat(s.quietValues).isEmpty();
        assertThat(s.quietLow).isEmpty();
        assertThat(s.quietCount).isZero();
    }

    @Test
    void aFlatDayScoresOneInTheScorer() {
        AnomalyScorer scorer = new AnomalyScorer(ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withQuietRule(DAY, 2));
        ScoreState s = new ScoreState();
        SplittableRandom noise = new SplittableRandom(17);
        // around the Normal(10, 2) forecast, with a daily excursion to 16 for half an hour
        for (int i = 0; i < 8 * DAY; i++) {
            double v = (i % DAY >= 144 && i % DAY < 150 ? 16 : 10) + 0.1 * noise.nextDouble();
            assertThat(score(scorer, s, i, v).score()).isLessThan(1.0);
        }
        // the excursion does not come: values at the forecast's median, the least surprising there are
        double max = 0;
        for (int i = 8 * DAY; i < 9 * DAY; i++) {
            max = Math.max(max, score(scorer, s, i, 10 + 0.1 * noise.nextDouble()).score());
        }
        assertThat(max).isEqualTo(1.0);
    }

    @Test
    void theParametersAreChecked() {
        assertThatThrownBy(() -> new QuietNovelty(1, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window");
        assertThatThrownBy(() -> new QuietNovelty(DAY, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tolerance");
        assertThatThrownBy(() -> ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withQuietRule(1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quietWindow");
        assertThatThrownBy(() -> ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withQuietRule(DAY, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quietTolerance");
    }

    /** Scores point {@code i} (5-minute steps from time 0) against a Normal(10, 2) forecast. */
    private static ScoredPoint score(AnomalyScorer a, ScoreState s, int i, double value) {
        long t = i * STEP;
        PatchPoint p = new PatchPoint(SeriesScorerTest.KEY, t, value, t, 0, STEP, true);
        return a.score(s, p, Forecasts.normal(SeriesScorerTest.KEY, t, STEP, 10, 0, 2));
    }
}
