package io.patchcast.models.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

/** The Java SIMD matmul against a double-precision product, and its row independence. */
class VectorGemmTest {

    @BeforeAll
    static void needsTheVectorApi() {
        // the build's test JVMs are started with --add-modules jdk.incubator.vector
        assumeThat(VectorKernels.whyNot()).isNull();
    }

    @Test
    void matchesADoublePrecisionProductAndIsOneFmaChainPerElement() {
        SplittableRandom r = new SplittableRandom(3);
        // N = 40, 100 and 257 leave a partial panel on every panel width; K = 1 and odd K too
        int[][] shapes = {{1, 384, 1024}, {2, 512, 384}, {5, 7, 40}, {9, 1, 17}, {130, 64, 48},
            {3, 384, 100}, {6, 65, 257}, {4, 1, 1}};
        for (int[] s : shapes) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            float[] x = gaussian(r, m * k);
            float[] w = gaussian(r, k * n);
            float[] y = new float[m * n];
            VectorGemm.multiply(x, m, VectorGemm.Panels.of(w, k, n), y);
            double worst = 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double exact = 0;
                    double abs = 0;
                    float chain = 0f;
                    for (int q = 0; q < k; q++) {
                        exact += (double) x[i * k + q] * w[q * n + j];
                        abs += Math.abs((double) x[i * k + q] * w[q * n + j]);
                        chain = Math.fma(x[i * k + q], w[q * n + j], chain);
                    }
                    // float accumulation of k terms: error below k * 2^-24 * sum |terms|
                    worst = Math.max(worst, Math.abs(y[i * n + j] - exact) / (abs * k * 0x1p-24));
                    // the contract the parity and the batch invariance rest on, whatever the
                    // panel width: one float accumulator, fused multiply-add over k in order
                    assertThat(Float.floatToIntBits(y[i * n + j]))
                            .as("m=%d k=%d n=%d y[%d, %d]", m, k, n, i, j)
                            .isEqualTo(Float.floatToIntBits(chain));
                }
            }
            assertThat(worst).as("m=%d k=%d n=%d, error / bound", m, k, n).isLessThan(1.0);
        }
    }

    @Test
    void aRowGivesTheSameBitsWhateverElseIsInTheCall() {
        SplittableRandom r = new SplittableRandom(5);
        int k = 384;
        int n = 1024;
        VectorGemm.Panels w = VectorGemm.Panels.of(gaussian(r, k * n), k, n);
        float[] x = gaussian(r, 11 * k);
        float[] all = new float[11 * n];
        VectorGemm.multiply(x, 11, w, all);
        for (int m = 1; m <= 11; m++) {
            float[] part = new float[m * n];
            VectorGemm.multiply(Arrays.copyOfRange(x, (11 - m) * k, 11 * k), m, w, part);
            for (int i = 0; i < m; i++) {
                int row = 11 - m + i;
                assertThat(Arrays.copyOfRange(part, i * n, (i + 1) * n))
                        .as("row %d computed among %d rows", row, m)
                        .isEqualTo(Arrays.copyOfRange(all, row * n, (row + 1) * n));
            }
        }
    }

    @Test
    void expIsWithinTwoUlpOfTheExactValue() {
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[lanes];
        float[] y = new float[lanes];
        double worst = 0;
        float at = 0;
        for (float v = -87f; v <= 88f; ) {
            for (int i = 0; i < lanes; i++, v += 0.0137f) {
                x[i] = v;
            }
            VectorGemm.exp(
                            jdk.incubator.vector.FloatVector.fromArray(
                                    jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, x, 0))
                    .intoArray(y, 0);
            for (int i = 0; i < lanes && x[i] <= 88f; i++) {
                double exact = StrictMath.exp(x[i]);
                double ulps = Math.abs(y[i] - exact) / Math.ulp((float) exact);
                if (ulps > worst) {
                    worst = ulps;
                    at = x[i];
                }
            }
        }
        assertThat(worst).as("worst error in ulp, at x = %s", at).isLessThanOrEqualTo(2.0);
    }

    @Test
    void gluIsSiluOfTheGateTimesTheValue() {
        SplittableRandom r = new SplittableRandom(9);
        int f = 37; // a partial vector at the end of each row
        float[] h = new float[3 * 2 * f];
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) (r.nextDouble() * 40 - 20);
        }
        float[] act = new float[3 * f];
        VectorGemm.glu(h, 3, f, act);
        for (int row = 0; row < 3; row++) {
            for (int j = 0; j < f; j++) {
                double g = h[row * 2 * f + j];
                double expected = g / (1 + Math.exp(-g)) * h[row * 2 * f + f + j];
                assertThat((double) act[row * f + j])
                        .as("row %d column %d", row, j)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6 * (1 + Math.abs(expected))));
            }
        }
    }

    @Test
    void panelsRejectAWeightOfTheWrongSize() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> VectorGemm.Panels.of(new float[10], 3, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 3 x 4");
    }

    private static float[] gaussian(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }
}
