package io.patchcast.models.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class QuantileForecastTest {

    private static final int L = QuantileGrid.size();

    private static float[] increasing(int steps) {
        float[] q = new float[steps * L];
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < L; i++) {
                q[s * L + i] = 100 * s + i;
            }
        }
        return q;
    }

    @Test
    void acceptsNonDecreasingQuantilesAndExposesEachStep() {
        float[] q = increasing(2);
        q[L + 3] = q[L + 2]; // ties are fine (point masses)
        QuantileForecast f = new QuantileForecast(q, new float[] {15f, 115f});
        assertThat(f.horizon()).isEqualTo(2);
        assertThat(f.step(1).quantile(0.5)).isCloseTo(115.0, within(1e-9));
        assertThat(f.step(1).mean()).isEqualTo(115.0);
        assertThat(f.step(0).quantile(QuantileGrid.level(0))).isEqualTo(0.0);
    }

    @Test
    void rejectsQuantilesOfTheWrongLength() {
        assertThatThrownBy(() -> new QuantileForecast(new float[2 * L - 1], new float[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quantiles must hold horizon x 31 = 62 values, got 61");
        assertThatThrownBy(() -> new QuantileForecast(new float[0], new float[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
    }

    @Test
    void rejectsDecreasingQuantilesNamingTheStep() {
        float[] q = increasing(3);
        q[2 * L + 7] = q[2 * L + 6] - 0.5f;
        assertThatThrownBy(() -> new QuantileForecast(q, new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quantiles of step 2 must be finite and non-decreasing")
                .hasMessageContaining("205.5");
    }

    @Test
    void rejectsNonFiniteQuantiles() {
        float[] q = increasing(1);
        q[0] = Float.NaN;
        assertThatThrownBy(() -> new QuantileForecast(q, new float[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quantiles of step 0 must be finite");
        float[] r = increasing(1);
        r[L - 1] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> new QuantileForecast(r, new float[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Infinity");
    }
}
