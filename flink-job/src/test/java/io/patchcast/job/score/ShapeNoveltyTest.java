package io.patchcast.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link ShapeNovelty}: a stretch of values unlike every stretch of the last week. */
class ShapeNoveltyTest {

    static final long STEP = Duration.ofMinutes(5).toMillis();
    static final int DAY = 288;

    /** Value of a daily pattern at point {@code i}: 10 with a 2-hour peak at 50 from 12:00, plus noise in [0, 1). */
    static double daily(int i, SplittableRandom noise) {
        int m = i % DAY;
        return (m >= 144 && m < 168 ? 50 : 10) + noise.nextDouble();
    }

    @Test
    void theDistanceIsTheRootMeanSquareToTheNearestEarlierStretchThatDoesNotOverlap() {
        ShapeNovelty r = new ShapeNovelty(2, 0.1);
        ScoreState s = new ScoreState();
        for (double v : new double[] {1, 2, 5, 1, 2}) {
            r.observe(s, v);
        }
        // stretches of 2 ending at points 0..2 have no earlier stretch clear of them
        assertThat(s.shapeDistances[0]).isNaN();
        assertThat(s.shapeDistances[1]).isNaN();
        assertThat(s.shapeDistances[2]).isNaN();
        // [5, 1] against [1, 2] only: sqrt((4^2 + 1^2) / 2)
        assertThat(s.shapeDistances[3]).isEqualTo((float) Math.sqrt(17 / 2.0));
        // [1, 2] against [1, 2] and [2, 5]: an exact match
        assertThat(s.shapeDistances[4]).isZero();
        assertThat(s.shapeDistanceCount).isEqualTo(2);
        assertThat(s.shapeCount).isEqualTo(5);
    }

    @Test
    void aDailyPeakAtHalfItsHeightIsNovelWhileItsValuesAndLevelsAreNot() {
        ShapeNovelty shape = new ShapeNovelty(12, 0.1);
        LevelNovelty level = new LevelNovelty(48, 0.1);
        RangeNovelty range = new RangeNovelty(0.05);
        ScoreState s = new ScoreState();
        SplittableRandom noise = new SplittableRandom(7);
        int novel = 0;
        for (int i = 0; i < 8 * DAY; i++) {
            double v = daily(i, noise);
            novel += shape.observe(s, v) ? 1 : 0;
            level.observe(s, i * STEP, v);
            range.observe(s, v);
        }
        // eight days of the same pattern: no shape the last week has not shown
        assertThat(novel).isZero();

        // the ninth day's peak reaches 30, not 50: inside the range of values [10, 51) and of the
        // 4-hour levels [10.5, 30.5]
        int first = -1;
        int count = 0;
        for (int i = 8 * DAY; i < 9 * DAY; i++) {
            int m = i % DAY;
            double v = (m >= 144 && m < 168 ? 30 : 10) + noise.nextDouble();
            boolean n = shape.observe(s, v);
            assertThat(level.observe(s, i * STEP, v)).isFalse();
            assertThat(range.observe(s, v)).isFalse();
            if (n && first < 0) {
                first = m;
            }
            count += n ? 1 : 0;
        }
        // from the first point at 30: 20 off its twin of earlier days in one point of 12, an RMS of
        // 5.8 where the week's nearest distances are the noise's (below 1). The new distances join
        // the week's: with j points at 30 the distance is about 5.8 sqrt(j), more than 10 % above
        // the last one for j = 2..5 only
        assertThat(first).isEqualTo(144);
        assertThat(count).isBetween(4, 6);
    }

    @Test
    void nothingIsNovelInTheWarmUpNorInASeriesThatOnlyRepeatsItself() {
        ShapeNovelty r = new ShapeNovelty(12, 0.1);
        ScoreState s = new ScoreState();
        SplittableRandom noise = new SplittableRandom(3);
        // a jump to a new pattern within the first MIN_DISTANCES distances: not novel
        for (int i = 0; i < 200; i++) {
            assertThat(r.observe(s, i < 150 ? noise.nextDouble() : 100 + 50 * (i % 2))).isFalse();
        }
        // a series whose stretches all repeat exactly: every distance is 0, nothing is novel
        ScoreState flat = new ScoreState();
        for (int i = 0; i < 3 * DAY; i++) {
            assertThat(r.observe(flat, i % 4)).isFalse();
        }
        assertThat(r.observe(flat, 3)).isFalse();
    }

    @Test
    void anotherWindowStartsTheRuleAfreshAndAnOffRuleKeepsNoState() {
        ScoreState s = new ScoreState();
        new ShapeNovelty(12, 0.1).observe(s, 1.0);
        assertThat(s.shapeValues).hasSize(ShapeNovelty.HISTORY + 12);
        new ShapeNovelty(6, 0.1).observe(s, 2.0);
        assertThat(s.shapeValues).hasSize(ShapeNovelty.HISTORY + 6);
        assertThat(s.shapeCount).isEqualTo(1);

        // state restored from before the rule existed: its fields may be null
        ScoreState old = new ScoreState();
        old.shapeValues = null;
        old.shapeDistances = null;
        assertThat(new ShapeNovelty(12, 0.1).observe(old, 1.0)).isFalse();
        assertThat(old.shapeDistances).hasSize(ShapeNovelty.HISTORY);
        old.shapeValues = null;
        ShapeNovelty.clear(old);
        assertThat(old.shapeValues).isEmpty();

        // the scorer with the rule off frees it
        AnomalyScorer off = new AnomalyScorer(ScoreConfig.likelihood(0.99, 0.3, 3, 3000));
        AnomalyScorerLikelihoodTest.score(off, s, 10.0);
        assertThat(s.shapeValues).isEmpty();
        assertThat(s.shapeDistances).isEmpty();
        assertThat(s.shapeCount).isZero();
    }

    @Test
    void aNovelShapeScoresOneInTheScorer() {
        AnomalyScorer scorer =
                new AnomalyScorer(ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withShapeRule(12, 0.1));
        ScoreState s = new ScoreState();
        SplittableRandom noise = new SplittableRandom(11);
        // values around the Normal(10, 2) forecast: a square wave 8 / 12 of period 24 points, for
        // eight days, so that the distances of its first periods (nothing to match yet) have left
        // the week the rule compares with
        for (int i = 0; i < 8 * DAY; i++) {
            double v = (i % 24 < 12 ? 8 : 12) + 0.1 * noise.nextDouble();
            ScoredPoint p = AnomalyScorerLikelihoodTest.score(scorer, s, v);
            assertThat(p.score()).isLessThan(1.0);
        }
        // the wave stops half-way up, at 10: the median of the forecast, an ordinary value and level
        double max = 0;
        for (int i = 0; i < 24; i++) {
            max = Math.max(max, AnomalyScorerLikelihoodTest.score(scorer, s, 10 + 0.1 * noise.nextDouble()).score());
        }
        assertThat(max).isEqualTo(1.0);
    }

    @Test
    void theParametersAreChecked() {
        assertThatThrownBy(() -> new ShapeNovelty(1, 0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window");
        assertThatThrownBy(() -> new ShapeNovelty(12, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tolerance");
        assertThatThrownBy(() -> ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withShapeRule(500, 0.1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shapeWindow");
        assertThatThrownBy(() -> ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withShapeRule(12, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shapeTolerance");
    }
}
