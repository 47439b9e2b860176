package io.patchcast.models.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

class SpecialFunctionsTest {

    @Test
    void matchesKnownValues() {
        assertThat(SpecialFunctions.logGamma(0.5))
                .isCloseTo(Math.log(Math.sqrt(Math.PI)), within(1e-13));
        assertThat(SpecialFunctions.logGamma(10)).isCloseTo(Math.log(362880), within(1e-12));
        assertThat(SpecialFunctions.normalCdf(1.959963984540054)).isCloseTo(0.975, within(1e-14));
        assertThat(SpecialFunctions.normalCdf(-8)).isCloseTo(6.22096057427178e-16, within(1e-24));
        assertThat(SpecialFunctions.incompleteBeta(0.3, 2, 3)).isCloseTo(0.3483, within(1e-12));
        // t(df=1) is Cauchy: F(1) = 0.75
        assertThat(StudentT.cdf(1, 0, 1, 1)).isCloseTo(0.75, within(1e-14));
    }

    @Test
    void gammaAndPoissonSamplersHaveTheRightMoments() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 200_000;
        for (double shape : new double[] {0.3, 1.5, 40}) {
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                double g = Samplers.gamma(r, shape);
                sum += g;
                sq += g * g;
            }
            double mean = sum / n;
            double var = sq / n - mean * mean;
            // mean and variance of Gamma(k, 1) are k; 5 standard errors
            assertThat(mean).isCloseTo(shape, within(5 * Math.sqrt(shape / n)));
            assertThat(var)
                    .isCloseTo(
                            shape,
                            within(
                                    5 * Math.sqrt((6 * shape + 2 * shape * shape) / n)
                                            + 0.01 * shape));
        }
        for (double lambda : new double[] {0.7, 9.5, 250, 1e6}) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Samplers.poisson(r, lambda);
            }
            assertThat(sum / n).isCloseTo(lambda, within(5 * Math.sqrt(lambda / n)));
        }
    }
}
