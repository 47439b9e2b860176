package io.patchcast.models.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class MixtureNllTest {

    static float v(NDArray a) {
        return a.toFloatArray()[0];
    }

    @Test
    void componentsMatchClosedForms() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // Cauchy (Student-T df 1) at its centre: 1 / (pi * scale)
            assertThat(v(MixtureNll.studentT(m.create(new float[] {0f}), m.create(new float[] {1f}),
                    m.create(new float[] {0f}), m.create(new float[] {1f})))).isCloseTo((float) -Math.log(Math.PI),
                    within(1e-5f));
            // Student-T df 3, loc 1, scale 2 at y = 2: Gamma(2)/(Gamma(1.5) sqrt(3 pi) 2) (1 + 1/12)^-2
            double g15 = Math.sqrt(Math.PI) / 2;
            double t3 = Math.log(1 / (g15 * Math.sqrt(3 * Math.PI) * 2)) - 2 * Math.log(1 + 0.25 / 3);
            assertThat(v(MixtureNll.studentT(m.create(new float[] {2f}), m.create(new float[] {3f}),
                    m.create(new float[] {1f}), m.create(new float[] {2f})))).isCloseTo((float) t3, within(1e-5f));
            // Normal, scale 1e-3, 2e-3 away: -2 - log(1e-3) - log sqrt(2 pi)
            assertThat(v(MixtureNll.normal(m.create(new float[] {0.502f}), m.create(new float[] {0.5f}), 1e-3)))
                    .isCloseTo((float) (-2 - Math.log(1e-3) - 0.5 * Math.log(2 * Math.PI)), within(2e-3f));
            // NegBin r = 2, p = 0.5 (logits 0) at 3: C(4, 3) 0.5^5 = 0.125
            assertThat(v(MixtureNll.negativeBinomial(m.create(new float[] {3f}), m.create(new float[] {2f}),
                    m.create(new float[] {0f})))).isCloseTo((float) Math.log(0.125), within(1e-5f));
            // NegBin r = 1, logits log 3 (p = 0.75 success weight in uni2ts' parametrisation) at 0:
            // r log sigmoid(-logits) = log 0.25
            assertThat(v(MixtureNll.negativeBinomial(m.create(new float[] {0f}), m.create(new float[] {1f}),
                    m.create(new float[] {(float) Math.log(3)})))).isCloseTo((float) Math.log(0.25), within(1e-5f));
            // LogNormal(0, 1) at e: density exp(-1/2) / (e sqrt(2 pi))
            assertThat(v(MixtureNll.logNormal(m.create(new float[] {(float) Math.E}), m.create(new float[] {0f}),
                    m.create(new float[] {1f})))).isCloseTo((float) (-0.5 - 1 - 0.5 * Math.log(2 * Math.PI)),
                    within(1e-5f));
        }
    }

    /** Raw head row with equal weights and the given pre-softplus leaves. */
    static float[] raw(float df, float tLoc, float tScale, float nLoc, float count, float nbLogits, float lnLoc,
            float lnScale) {
        float[] r = new float[192];
        float[] leaves = {df, tLoc, tScale, nLoc, count, nbLogits, lnLoc, lnScale};
        for (int k = 0; k < 8; k++) {
            for (int p = 0; p < 16; p++) {
                r[64 + 16 * k + p] = leaves[k];
            }
        }
        return r;
    }

    static float inverseSoftplus(double y) {
        return (float) Math.log(Math.expm1(y));
    }

    @Test
    void mixtureIsLogSumExpOfWeightedComponents() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // df = 2 + 1 = 3, t loc 1, t scale 2; normal loc 0.5; nb r = 2, logits 0; ln loc 0, scale 1
            float[] r = raw(inverseSoftplus(1), 1f, inverseSoftplus(2), 0.5f, inverseSoftplus(2), 0f, 0f,
                    inverseSoftplus(1));
            NDArray raw = m.create(r, new Shape(1, 192));
            MixtureNll nll = new MixtureNll(1e-3);
            // y = 3: student-t(3; 3, 1, 2), normal ~ 0, nb(3) = 0.125, lognormal(3)
            float[] y = new float[16];
            java.util.Arrays.fill(y, 3f);
            double g15 = Math.sqrt(Math.PI) / 2;
            double t = 1 / (g15 * Math.sqrt(3 * Math.PI) * 2) * Math.pow(1 + 1.0 / 3, -2);
            double ln = Math.exp(-0.5 * Math.log(3) * Math.log(3)) / (3 * Math.sqrt(2 * Math.PI));
            double expected = Math.log(0.25 * (t + 0.125 + ln));
            float[] lp = nll.logProb(raw, m.create(y, new Shape(1, 16))).toFloatArray();
            assertThat(lp[0]).isCloseTo((float) expected, within(1e-5f));
            assertThat(lp[15]).isEqualTo(lp[0]);
            // y = -1: only student-t (negative binomial and log-normal have no mass; normal ~ 0)
            java.util.Arrays.fill(y, -1f);
            double tNeg = 1 / (g15 * Math.sqrt(3 * Math.PI) * 2) * Math.pow(1 + 1.0 / 3, -2);
            float[] lpNeg = nll.logProb(raw, m.create(y, new Shape(1, 16))).toFloatArray();
            assertThat(lpNeg[0]).isCloseTo((float) Math.log(0.25 * tNeg), within(1e-5f));
            // the mean NLL over a mask counts only masked-in positions
            float[] mask = new float[16];
            mask[3] = 1f;
            assertThat(nll.mean(raw, m.create(y, new Shape(1, 16)), m.create(mask, new Shape(1, 16))).getFloat())
                    .isCloseTo(-lpNeg[3], within(1e-6f));
        }
    }
}
