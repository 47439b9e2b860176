package io.patchcast.models.moiraimoe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.Device;

import io.patchcast.models.module.MoEFeedForward.Dispatch;
import io.patchcast.models.module.VectorKernels;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The DENSE_REFERENCE baseline, the SPARSE (libtorch) and the SPARSE_VECTOR (Java SIMD) paths
 * compute the same MoE layers.
 */
class MoEFeedForwardDispatchTest {

    /** All paths are float32 matmuls over the same weights; only summation order differs. */
    static final double ATOL = 1e-5;

    @Test
    void denseReferenceMatchesSparseLayerByLayerOnTheFixtureModel() throws IOException {
        assertSame(record(Dispatch.SPARSE), record(Dispatch.DENSE_REFERENCE));
    }

    @Test
    void javaSimdExpertsMatchLibtorchLayerByLayerOnTheFixtureModel() throws IOException {
        assumeThat(VectorKernels.whyNot()).isNull();
        assertSame(record(Dispatch.SPARSE), record(Dispatch.SPARSE_VECTOR));
    }

    private static void assertSame(Map<String, float[]> sparse, Map<String, float[]> dense) {
        assertThat(dense.keySet()).isEqualTo(sparse.keySet()).contains("encoder_out");
        for (String name : sparse.keySet()) {
            float[] a = sparse.get(name);
            float[] b = dense.get(name);
            assertThat(b).as(name).hasSameSizeAs(a);
            double worst = 0;
            int at = 0;
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                if (d > worst) {
                    worst = d;
                    at = i;
                }
            }
            assertThat(worst)
                    .as("%s[%d]: sparse %s dense %s", name, at, a[at], b[at])
                    .isLessThanOrEqualTo(ATOL);
        }
    }

    /** Every recorded tensor of one module call on 3 series of 120 steps, horizon 32. */
    private static Map<String, float[]> record(Dispatch dispatch) throws IOException {
        Map<String, float[]> out = new TreeMap<>();
        try (MoiraiMoEModule m =
                MoiraiMoEModule.load(
                        MoiraiMoEParityTest.FIXTURES.resolve("model"), Device.cpu(), dispatch)) {
            MoiraiMoEForecast fc = new MoiraiMoEForecast(m, 120, 32, 1, 2);
            List<float[][]> series = new ArrayList<>();
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < 3; i++) {
                float[][] s = new float[120][1];
                for (int t = 0; t < s.length; t++) {
                    s[t][0] = (float) (10 * i + Math.sin(t / 4.0) + r.nextGaussian());
                }
                series.add(s);
            }
            m.forward(
                    fc.convert(fc.preprocess(series)),
                    (name, values, shape) -> out.put(name, values.clone()));
        }
        return out;
    }
}
