package io.patchcast.models.moiraimoe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The KS limit of the statistical check, against values of the Kolmogorov bound worked out by hand. */
class VerifierStatisticsTest {

    @Test
    void oneTestKeepsTheClassicalCriticalValue() {
        // c(0.001) = sqrt(-ln(0.0005) / 2) = 1.94947; sqrt(1100 / 100000) = 0.104881
        assertThat(VerifierStatistics.ksCritical(100, 1000, 1)).isCloseTo(0.204462, within(1e-5));
        // n = m = 1000: sqrt(2 / 1000) = 0.0447214
        assertThat(VerifierStatistics.ksCritical(1000, 1000, 1)).isCloseTo(0.0871832, within(1e-6));
    }

    @Test
    void manyTestsShareTheFamilyWiseLevel() {
        // 16 steps at 0.001 / 16: c = sqrt(-ln(3.125e-5) / 2) = 2.27744
        assertThat(VerifierStatistics.ksCritical(100, 1000, 16)).isCloseTo(0.238860, within(1e-5));
        // the chance failure seen on a generated fixture (0.216 at one of 16 steps) is inside it
        assertThat(VerifierStatistics.ksCritical(100, 1000, 16)).isGreaterThan(0.216);
        // 64 steps: c = sqrt(-ln(7.8125e-6) / 2) = 2.42485
        assertThat(VerifierStatistics.ksCritical(100, 1000, 64)).isCloseTo(0.254320, within(1e-5));
    }
}
