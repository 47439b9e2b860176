package io.patchcast.models.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SyntheticSeriesTest {

    @Test
    void sameSeedSameSeries() {
        for (long seed = 0; seed < 20; seed++) {
            double[] a = SyntheticSeries.generate(new SplittableRandom(seed), 600);
            double[] b = SyntheticSeries.generate(new SplittableRandom(seed), 600);
            assertThat(a).containsExactly(b);
        }
        assertThat(SyntheticSeries.generate(new SplittableRandom(1), 600))
                .isNotEqualTo(SyntheticSeries.generate(new SplittableRandom(2), 600));
    }

    @Test
    void mixOfStepsCountsGapsAndNonNegativeSeries() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 400;
        int[] steps = new int[3];
        int withGaps = 0;
        int counts = 0;
        int nonNegative = 0;
        for (int i = 0; i < n; i++) {
            SyntheticSeries.Sample s = SyntheticSeries.sample(r.split(), 512);
            assertThat(s.values()).hasSize(512);
            long step = s.stepMillis();
            steps[step == 60_000L ? 0 : step == 300_000L ? 1 : 2]++;
            assertThat(step).isIn(60_000L, 300_000L, 3_600_000L);
            boolean gap = false;
            boolean integral = true;
            boolean nonNeg = true;
            int finite = 0;
            for (double v : s.values()) {
                if (Double.isNaN(v)) {
                    gap = true;
                    continue;
                }
                assertThat(v).isFinite();
                finite++;
                integral &= v == Math.rint(v);
                nonNeg &= v >= 0;
            }
            assertThat(finite).isGreaterThan(400); // at most 5 % scattered + a 5 % gap missing
            withGaps += gap ? 1 : 0;
            counts += integral ? 1 : 0;
            nonNegative += nonNeg ? 1 : 0;
        }
        // each step about a third; gaps in ~20 %, counts in ~20 %; most series non-negative (~80 %+)
        for (int k : steps) {
            assertThat(k).isBetween(100, 170);
        }
        assertThat(withGaps).isBetween(40, 120);
        assertThat(counts).isBetween(40, 120);
        assertThat(nonNegative).isGreaterThan(n * 7 / 10);
    }

    @Test
    void dailyComponentRepeatsEveryDay() {
        // a periodic kernel sample at the daily period repeats exactly after perDay points
        double[] y = new double[3 * 24];
        SyntheticSeries.periodic(new SplittableRandom(3), y, 24, 5.0, 1.0);
        for (int i = 24; i < y.length; i++) {
            assertThat(y[i]).isCloseTo(y[i - 24], org.assertj.core.api.Assertions.within(1e-9));
        }
        assertThat(SyntheticSeries.std(y)).isGreaterThan(0.01);
    }

    @Test
    void poissonMeanIsRight() {
        SplittableRandom r = new SplittableRandom(11);
        double s = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            s += SyntheticSeries.poisson(r, 3.5);
        }
        assertThat(s / n).isBetween(3.4, 3.6); // sd of the mean 0.013
    }
}
