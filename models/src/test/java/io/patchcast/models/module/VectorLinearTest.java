package io.patchcast.models.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

/** The Java linear layer against libtorch's {@code x.matMul(wT).add(b)}, and its row independence. */
class VectorLinearTest {

    @BeforeAll
    static void needsTheVectorApi() {
        assumeThat(VectorKernels.whyNot()).isNull();
    }

    @Test
    void givesLibtorchsProductPlusBias() {
        SplittableRandom r = new SplittableRandom(5);
        int m = 37; // the embedding's and head's shapes: 16 -> 128, 128 -> 192
        for (int[] kn : new int[][] {{16, 128}, {128, 192}, {130, 32}}) {
            int k = kn[0];
            int n = kn[1];
            float[] x = uniform(r, m * k);
            float[] wT = uniform(r, k * n);
            float[] b = uniform(r, n);
            float[] got = VectorLinear.of(wT, b, k, n).forward(x, m);
            float[] want;
            try (NDManager nd = NDManager.newBaseManager()) {
                want = nd.create(x, new Shape(m, k)).matMul(nd.create(wT, new Shape(k, n)))
                        .add(nd.create(b, new Shape(n))).toFloatArray();
            }
            assertThat(got).hasSize(m * n);
            for (int i = 0; i < got.length; i++) {
                // k float products of size <= 1 summed in another order: within k float32 epsilons
                assertThat(Math.abs(got[i] - want[i])).as("%d x %d element %d", k, n, i)
                        .isLessThan(1.2e-7f * k);
            }
        }
    }

    @Test
    void aRowsResultDoesNotDependOnTheOtherRows() {
        SplittableRandom r = new SplittableRandom(8);
        int k = 128;
        int n = 192;
        VectorLinear lin = VectorLinear.of(uniform(r, k * n), uniform(r, n), k, n);
        float[] row = uniform(r, k);
        float[] alone = lin.forward(row, 1);
        for (int rows : new int[] {2, 5, 13, 64}) {
            for (int at : new int[] {0, rows / 2, rows - 1}) {
                float[] x = uniform(r, rows * k);
                System.arraycopy(row, 0, x, at * k, k);
                float[] y = lin.forward(x, rows);
                assertThat(Arrays.copyOfRange(y, at * n, (at + 1) * n)).as("row %d of %d", at, rows)
                        .containsExactly(alone);
            }
        }
    }

    @Test
    void checksItsShapes() {
        assertThatThrownBy(() -> VectorLinear.of(new float[6], new float[2], 2, 3))
                .hasMessageContaining("bias has 2 values, expected 3");
        VectorLinear lin = VectorLinear.of(new float[6], null, 2, 3);
        assertThat(lin.in()).isEqualTo(2);
        assertThat(lin.out()).isEqualTo(3);
        assertThatThrownBy(() -> lin.forward(new float[3], 2)).hasMessageContaining("expected 2 x 2");
    }

    private static float[] uniform(SplittableRandom r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }
}
