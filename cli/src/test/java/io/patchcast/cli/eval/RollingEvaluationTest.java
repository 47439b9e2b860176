package io.patchcast.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollingEvaluationTest {

    /** Knows the series and forecasts it exactly (a point forecast at the true values). */
    record Oracle(double[] truth, long t0, long step) implements Forecaster {
        public String name() { return "oracle"; }
        public String version() { return "1"; }
        public int patchSize() { return 16; }
        public List<QuantileForecast> forecast(List<ForecastRequest> batch, int horizon) {
            List<QuantileForecast> out = new ArrayList<>();
            for (ForecastRequest r : batch) {
                int origin = (int) ((r.patchStart() - t0) / step);
                assertThat(r.length() % 16).isZero();
                float[] v = new float[horizon];
                for (int h = 0; h < horizon; h++) {
                    v[h] = Double.isNaN(truth[origin + h]) ? 0f : (float) truth[origin + h];
                }
                out.add(PointScoresTest.constant(v));
            }
            return out;
        }
    }

    @Test
    void originsEveryPatchFromTheFirstOrigin() {
        RollingEvaluation e = new RollingEvaluation(512, 16, 32, 8);
        assertThat(e.origins(100, 16)).containsExactly(32, 48, 64, 80);
        assertThat(e.origins(47, 16)).isEmpty();
    }

    @Test
    void perfectModelHasZeroError() {
        int n = 200;
        double[] v = new double[n];
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (5 + Math.sin(i * 0.3) + 0.01 * i); // exact in float, as forecasts are
            ts[i] = 1_000_000L + 60_000L * i;
        }
        v[100] = Double.NaN;
        RollingEvaluation e = new RollingEvaluation(64, 16, 32, 3);
        PointScores s = e.run(new Oracle(v, 1_000_000L, 60_000L), "k", ts, v);
        // origins 32, 48, ..., 176: 10 patches of 16, one NaN target skipped
        assertThat(s.count()).isEqualTo(159);
        assertThat(s.mae()).isZero();
        assertThat(s.crps()).isCloseTo(0.0, within(1e-5));
        assertThat(s.coverage(2)).isEqualTo(1.0);
    }

    @Test
    void seasonAndNaiveScale() {
        long[] fiveMin = new long[1000];
        for (int i = 0; i < fiveMin.length; i++) {
            fiveMin[i] = 300_000L * i;
        }
        assertThat(RollingEvaluation.season(fiveMin)).isEqualTo(288);
        assertThat(RollingEvaluation.season(java.util.Arrays.copyOf(fiveMin, 500))).isEqualTo(1);
        // |3-1| + |6-2| + |4-3| over m = 2: (2 + 4 + 1) / 3
        assertThat(RollingEvaluation.naiveScale(new double[] {1, 2, 3, 6, 4}, 2)).isCloseTo(7.0 / 3, within(1e-12));
    }
}
