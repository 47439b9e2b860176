package io.patchcast.models.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GridDistributionTest {

    private static final int L = QuantileGrid.size();
    private static final double LN2 = Math.log(2);

    /**
     * Quantiles of a uniform distribution on [0, 1000]: q_i = 1000 p_i. Linear between grid levels,
     * so inside the grid cdf(x) = x / 1000 exactly. Both tails have scale b = 0.5 / ln 2: the two
     * outermost quantiles are 0.5 apart on each side and their levels differ by a factor of 2.
     */
    private static float[] uniform1000() {
        float[] q = new float[L];
        for (int i = 0; i < L; i++) {
            q[i] = (float) (1000 * QuantileGrid.level(i));
        }
        return q;
    }

    private static GridDistribution dist(float[] q) {
        return new GridDistribution(q, 0, 0.0);
    }

    @Test
    void gridHasThirtyOneLevelsWithTheMedianAtIndexFifteen() {
        assertThat(L).isEqualTo(31);
        assertThat(QuantileGrid.level(QuantileGrid.MEDIAN)).isEqualTo(0.5);
        assertThat(QuantileGrid.indexOf(0.995)).isEqualTo(27);
        assertThat(QuantileGrid.indexOf(0.123)).isEqualTo(-1);
    }

    @Test
    void quantileAtEachGridLevelIsTheStoredValue() {
        float[] q = uniform1000();
        // an irregular, strictly increasing set too, so interpolation cannot hide a wrong index
        float[] irregular = new float[L];
        for (int i = 0; i < L; i++) {
            irregular[i] = -3f + i * i * 0.25f;
        }
        for (int i = 0; i < L; i++) {
            double p = QuantileGrid.level(i);
            assertThat(dist(q).quantile(p)).as("uniform quantile(%s)", p).isCloseTo(q[i], within(1e-9));
            assertThat(dist(irregular).quantile(p)).as("irregular quantile(%s)", p)
                    .isCloseTo(irregular[i], within(1e-9));
        }
    }

    @Test
    void quantileInterpolatesLinearlyBetweenGridLevels() {
        GridDistribution d = dist(uniform1000());
        assertThat(d.quantile(0.42)).isCloseTo(420.0, within(1e-6));
        assertThat(d.quantile(0.97)).isCloseTo(970.0, within(1e-6));
        assertThat(d.quantile(0.0007)).isCloseTo(0.7, within(1e-6));
    }

    @Test
    void readsItsOwnStepFromAnOffsetIntoTheArray() {
        float[] twoSteps = new float[2 * L];
        float[] u = uniform1000();
        for (int i = 0; i < L; i++) {
            twoSteps[i] = -1f; // step 0: all mass at -1
            twoSteps[L + i] = u[i];
        }
        GridDistribution step1 = new GridDistribution(twoSteps, L, 500.0);
        assertThat(step1.quantile(0.25)).isCloseTo(250.0, within(1e-6));
        assertThat(step1.cdf(600.0)).isCloseTo(0.6, within(1e-9));
        assertThat(step1.mean()).isEqualTo(500.0);
        assertThatThrownBy(() -> new GridDistribution(twoSteps, L + 1, 0.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quantile slice [32, 63) out of an array of 62");
    }

    @Test
    void cdfAndQuantileAreInversesInsideTheGrid() {
        GridDistribution d = dist(uniform1000());
        for (double p = 0.0006; p < 0.9995; p += 0.0137) {
            assertThat(d.cdf(d.quantile(p))).as("cdf(quantile(%s))", p).isCloseTo(p, within(1e-9));
        }
        for (double x = 0.5; x <= 999.5; x += 13.7) {
            assertThat(d.cdf(x)).as("cdf(%s)", x).isCloseTo(x / 1000, within(1e-9));
            assertThat(d.quantile(d.cdf(x))).as("quantile(cdf(%s))", x).isCloseTo(x, within(1e-6));
        }
    }

    @Test
    void tailsAreExponentialWithScaleFittedToTheOutermostQuantiles() {
        GridDistribution d = dist(uniform1000());
        double b = 0.5 / LN2;
        // lower: F(x) = 0.0005 exp(-(0.5 - x) / b); at x = 0 that is 0.0005 / 2
        assertThat(d.cdf(0.0)).isCloseTo(0.00025, within(1e-12));
        assertThat(d.cdf(0.5 - 10 * b)).isCloseTo(0.0005 * Math.exp(-10), within(1e-15));
        // upper: 1 - F(x) = 0.0005 exp(-(x - 999.5) / b); at x = 1000 that is 0.00025
        assertThat(d.cdf(1000.0)).isCloseTo(1 - 0.00025, within(1e-12));
        // and the quantile function is the inverse out there
        assertThat(d.quantile(0.00025)).isCloseTo(0.0, within(1e-9));
        assertThat(d.quantile(1 - 0.00025)).isCloseTo(1000.0, within(1e-6));
        assertThat(d.quantile(1e-9)).isCloseTo(0.5 - b * Math.log(0.0005 / 1e-9), within(1e-9));
    }

    @Test
    void tailProbabilityKeepsShrinkingBeyondTheOutermostLevels() {
        GridDistribution d = dist(uniform1000());
        double prevLow = d.cdf(0.5);
        double prevHigh = 1 - d.cdf(999.5);
        assertThat(prevLow).isCloseTo(0.0005, within(1e-12));
        assertThat(prevHigh).isCloseTo(0.0005, within(1e-12));
        for (int k = 1; k <= 20; k++) {
            double low = d.cdf(0.5 - k);
            double high = 1 - d.cdf(999.5 + k);
            assertThat(low).as("F(0.5 - %d)", k).isPositive().isLessThan(prevLow);
            assertThat(high).as("1 - F(999.5 + %d)", k).isLessThan(prevHigh);
            prevLow = low;
            prevHigh = high;
        }
        assertThat(d.tailProbability(-5.0)).isLessThan(d.tailProbability(-1.0)).isLessThan(0.001);
    }

    @Test
    void quantileOutsideTheOpenUnitIntervalIsRejected() {
        GridDistribution d = dist(uniform1000());
        assertThatThrownBy(() -> d.quantile(0.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(0, 1), got 0.0");
        assertThatThrownBy(() -> d.quantile(1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.quantile(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.cdf(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
    }

    @Test
    void pointMassHasCdfAtTheMiddleOfItsRunAndTailProbabilityOneThere() {
        float[] q = new float[L];
        Arrays.fill(q, 5f);
        GridDistribution d = dist(q);
        // the run covers every level: middle = (0.0005 + 0.9995) / 2
        assertThat(d.cdf(5.0)).isCloseTo(0.5, within(1e-12));
        assertThat(d.tailProbability(5.0)).isCloseTo(1.0, within(1e-12));
        // just off the mass the tails (scale floored at 1e-9 * 5) have next to nothing
        assertThat(d.tailProbability(5.000001)).isLessThan(1e-12);
        assertThat(d.tailProbability(4.999999)).isLessThan(1e-12);
        assertThat(d.cdf(4.999999)).isGreaterThanOrEqualTo(0.0);
        assertThat(d.cdf(5.000001)).isLessThanOrEqualTo(1.0);
    }

    @Test
    void partialRunUsesTheMiddleOfTheLevelsItCovers() {
        float[] q = uniform1000();
        // levels 0.3 .. 0.8 (indices 11 .. 21) all at 500
        for (int i = 11; i <= 21; i++) {
            q[i] = 500f;
        }
        GridDistribution d = dist(q);
        assertThat(d.cdf(500.0)).isCloseTo(0.55, within(1e-12));
        assertThat(d.tailProbability(500.0)).isCloseTo(0.9, within(1e-12));
        // between 250 (p 0.25) and the run start 500 (p 0.3): linear
        assertThat(d.cdf(375.0)).isCloseTo(0.275, within(1e-12));
    }

    @Test
    void pointMassAtZeroStaysFinite() {
        GridDistribution d = dist(new float[L]);
        assertThat(d.cdf(0.0)).isCloseTo(0.5, within(1e-12));
        assertThat(d.tailProbability(1e-300)).isBetween(0.0, 1e-12);
        assertThat(d.quantile(1e-6)).isFinite();
        assertThat(d.quantile(1 - 1e-6)).isFinite();
    }

    @Test
    void tailProbabilityStaysInTheUnitInterval() {
        GridDistribution[] ds = {dist(uniform1000()), dist(new float[L])};
        double[] xs = {-1e300, -1e9, -1, 0, 1e-3, 0.5, 1, 250, 500, 999.5, 1000, 1e9, 1e300,
            Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
        for (GridDistribution d : ds) {
            for (double x : xs) {
                assertThat(d.tailProbability(x)).as("tail(%s)", x).isBetween(0.0, 1.0);
                assertThat(d.cdf(x)).as("cdf(%s)", x).isBetween(0.0, 1.0);
            }
        }
        assertThat(dist(uniform1000()).tailProbability(500.0)).isCloseTo(1.0, within(1e-12));
        assertThat(dist(uniform1000()).tailProbability(100.0)).isCloseTo(0.2, within(1e-9));
    }
}
