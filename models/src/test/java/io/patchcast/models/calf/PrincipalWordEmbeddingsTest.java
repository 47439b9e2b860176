package io.patchcast.models.calf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.Test;

class PrincipalWordEmbeddingsTest {

    @Test
    void jacobiFindsTheEigenpairsOfASmallSymmetricMatrix() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1) and (1, -1) / sqrt 2
        double[] v = new double[4];
        double[] values = PrincipalWordEmbeddings.jacobiEigen(new double[] {2, 1, 1, 2}, 2, v);
        int big = values[0] > values[1] ? 0 : 1;
        assertThat(values[big]).isCloseTo(3.0, within(1e-12));
        assertThat(values[1 - big]).isCloseTo(1.0, within(1e-12));
        assertThat(Math.abs(v[big])).isCloseTo(Math.sqrt(0.5), within(1e-12));
        assertThat(v[big] * v[2 + big]).isPositive();
    }

    @Test
    void firstComponentOfTokensOnOneAxis() {
        // 3 dims, 2 tokens: wte rows (3, 0, 0) and (-3, 0, 0). Centred rows (2, -1, -1), (-2, 1, 1).
        // X_c = wte_c^T (3 x 2) has rank 1: X_c = u s v^T with u = (2, -1, -1)/sqrt 6 (largest |.|
        // entry positive), v = (1, -1)/sqrt 2, s = sqrt 6 * sqrt 2; the score row is s * u.
        try (NDManager m = NDManager.newBaseManager()) {
            float[] e = PrincipalWordEmbeddings.compute(new float[] {3, 0, 0, -3, 0, 0}, 2, 3, 1, m);
            double s = Math.sqrt(12.0);
            double r6 = Math.sqrt(6.0);
            assertThat(e[0]).isCloseTo((float) (s * 2 / r6), within(1e-5f));
            assertThat(e[1]).isCloseTo((float) (-s / r6), within(1e-5f));
            assertThat(e[2]).isCloseTo((float) (-s / r6), within(1e-5f));
        }
    }
}
