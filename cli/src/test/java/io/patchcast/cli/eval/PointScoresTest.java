package io.patchcast.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PointScoresTest {

    static QuantileForecast constant(float... perStep) {
        int l = QuantileGrid.size();
        float[] q = new float[perStep.length * l];
        for (int h = 0; h < perStep.length; h++) {
            Arrays.fill(q, h * l, h * l + l, perStep[h]);
        }
        return new QuantileForecast(q, perStep.clone());
    }

    @Test
    void pointForecastCrpsIsAbsoluteError() {
        PointScores s = new PointScores();
        QuantileForecast f = constant(10f, 20f);
        s.add(f, 0, 13.0); // |13 - 10| = 3
        s.add(f, 1, 19.0); // |19 - 20| = 1
        s.add(f, 1, Double.NaN); // skipped
        assertThat(s.count()).isEqualTo(2);
        assertThat(s.mae()).isCloseTo(2.0, within(1e-12));
        assertThat(s.crps()).isCloseTo(2.0, within(1e-9));
        // mean |y| = 16
        assertThat(s.scaledCrps()).isCloseTo(2.0 / 16.0, within(1e-9));
        // a point forecast covers only exact hits
        assertThat(s.coverage(0)).isZero();
    }

    @Test
    void uniformQuantilesGiveTheUniformCrps() {
        // quantiles of U(0,1) at every grid level: CRPS(U(0,1), y) = y^2 - y + 1/3 (closed form,
        // (y - ... ) for y in [0,1]); at y = 0.5: 1/12. Trapezoid over the grid is close.
        int l = QuantileGrid.size();
        float[] q = new float[l];
        for (int i = 0; i < l; i++) {
            q[i] = (float) QuantileGrid.level(i);
        }
        double c = PointScores.crps(q, 0, 0.5);
        assertThat(c).isCloseTo(1.0 / 12.0, within(2e-3));
        PointScores s = new PointScores();
        QuantileForecast f = new QuantileForecast(q, new float[] {0.5f});
        s.add(f, 0, 0.5);
        s.add(f, 0, 0.05); // inside 80 %? no (q0.1 = 0.1); inside 95 % and 99 %
        s.add(f, 0, 0.999); // outside 80/95/99 (q0.995 = 0.995)
        assertThat(s.coverage(0)).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(s.coverage(1)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(s.coverage(2)).isCloseTo(2.0 / 3, within(1e-12));
    }
}
