package io.patchcast.models.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

class MixtureTest {

    static final double[] GRID = io.patchcast.models.api.QuantileGrid.levels();

    /** One token, one position, 16 positions filled alike; logits pick the components. */
    static Mixture single(
            float[] logits,
            float df,
            float tLoc,
            float tScale,
            float nLoc,
            float r,
            float nbLogit,
            float lnLoc,
            float lnScale,
            float loc,
            float scale) {
        int tp = Mixture.PATCH;
        float[] wl = new float[tp * 4];
        for (int p = 0; p < tp; p++) {
            System.arraycopy(logits, 0, wl, p * 4, 4);
        }
        return new Mixture(
                1,
                wl,
                fill(df),
                fill(tLoc),
                fill(tScale),
                fill(nLoc),
                0.001,
                fill(r),
                fill(nbLogit),
                fill(lnLoc),
                fill(lnScale),
                new float[] {loc},
                new float[] {scale});
    }

    static float[] fill(float v) {
        float[] a = new float[Mixture.PATCH];
        Arrays.fill(a, v);
        return a;
    }

    static final float OFF = -1e4f; // softmax weight exp(-1e4) = 0

    @Test
    void studentTQuantilesMatchTables() {
        // t(df=3): 0.975 -> 3.182446, 0.9 -> 1.637744, 0.5 -> 0; affine loc 10, scale 2
        Mixture m = single(new float[] {0, OFF, OFF, OFF}, 3f, 0f, 1f, 0, 1, 0, 0, 1, 10f, 2f);
        float[] q = new float[3];
        m.quantiles(0, 0, new double[] {0.5, 0.9, 0.975}, q, 0);
        assertThat(q[0]).isCloseTo(10f, within(1e-5f));
        assertThat(q[1]).isCloseTo(10f + 2 * 1.637744f, within(1e-5f));
        assertThat(q[2]).isCloseTo(10f + 2 * 3.182446f, within(1e-5f));
        assertThat(m.cdf(0, 0, 10 + 2 * 3.182446)).isCloseTo(0.975, within(1e-6));
    }

    @Test
    void normalAndLogNormalQuantilesMatchTables() {
        Mixture n = single(new float[] {OFF, 0, OFF, OFF}, 3, 0, 1, 5f, 1, 0, 0, 1, 0f, 1000f);
        float[] q = new float[1];
        n.quantiles(0, 3, new double[] {0.975}, q, 0);
        // 1000 * (5 + 0.001 * 1.959964)
        assertThat(q[0]).isCloseTo(5001.959964f, within(1e-3f));
        Mixture ln = single(new float[] {OFF, OFF, OFF, 0}, 3, 0, 1, 0, 1, 0, 0.5f, 0.25f, 0, 1);
        ln.quantiles(0, 0, new double[] {0.9}, q, 0);
        assertThat(q[0]).isCloseTo((float) Math.exp(0.5 + 0.25 * 1.2815516), within(1e-5f));
    }

    @Test
    void negativeBinomialQuantilesSitOnTheLattice() {
        // r = 2, p = sigmoid(0) = 0.5: P(N=0) = 0.25, P(N<=1) = 0.5, P(N<=2) = 0.6875
        Mixture m = single(new float[] {OFF, OFF, 0, OFF}, 3, 0, 1, 0, 2f, 0f, 0, 1, 100f, 3f);
        assertThat(m.cdf(0, 0, 100)).isCloseTo(0.25, within(1e-12));
        assertThat(m.cdf(0, 0, 103)).isCloseTo(0.5, within(1e-12));
        assertThat(m.cdf(0, 0, 106)).isCloseTo(0.6875, within(1e-12));
        float[] q = new float[4];
        m.quantiles(0, 0, new double[] {0.2, 0.25, 0.6, 0.7}, q, 0);
        assertThat(q).containsExactly(new float[] {100f, 100f, 106f, 109f}, within(1e-4f));
        assertThat(m.mean(0, 0)).isCloseTo(106f, within(1e-4f)); // 100 + 3 * 2 e^0
    }

    /** One position whose four components all carry weight, with a heavy Student-T tail. */
    private static Mixture mixedPosition() {
        return single(
                new float[] {0.5f, -1.2f, 0.6f, 0.16f},
                2.6f,
                0.007f,
                1.07f,
                -0.22f,
                0.45f,
                -0.55f,
                -0.59f,
                0.31f,
                12.842f,
                2.473f);
    }

    @Test
    void gridQuantilesInvertTheCdfOfAMixedPosition() {
        Mixture m = mixedPosition();
        float[] q = new float[GRID.length];
        m.quantiles(0, 5, GRID, q, 0);
        for (int j = 0; j < GRID.length; j++) {
            double hi = m.cdf(0, 5, q[j] + 1e-4);
            double lo = m.cdf(0, 5, q[j] - 1e-4);
            assertThat(GRID[j]).as("level %s at %s", GRID[j], q[j]).isBetween(lo - 1e-6, hi + 1e-6);
            if (j > 0) {
                assertThat(q[j]).isGreaterThanOrEqualTo(q[j - 1]);
            }
        }
    }

    @Test
    void samplesFollowTheCdf() {
        Mixture m = mixedPosition();
        SplittableRandom r = new SplittableRandom(1);
        double[] x = new double[40_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = m.sample(0, 2, r);
        }
        Arrays.sort(x);
        // KS distance to the exact CDF, atoms included: for each distinct value v at sorted
        // indices [i, j), compare F(v-) with i/n and F(v) with j/n. 1.95 / sqrt(n) = 0.0098 is
        // the alpha = 0.001 critical value
        double d = 0;
        int n = x.length;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && x[j] == x[i]) {
                j++;
            }
            double f = m.cdf(0, 2, x[i]);
            double fMinus = m.cdf(0, 2, x[i] - 1e-9 * Math.max(1, Math.abs(x[i])));
            d =
                    Math.max(
                            d,
                            Math.max(
                                    Math.abs(fMinus - (double) i / n),
                                    Math.abs(f - (double) j / n)));
            i = j;
        }
        assertThat(d).isLessThan(1.95 / Math.sqrt(x.length));
    }
}
