package io.patchcast.models.fallback;

import static io.patchcast.models.fallback.SeasonDetectorTest.allObserved;
import static io.patchcast.models.fallback.SeasonDetectorTest.randomWalk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeasonalNaiveForecasterTest {

    static final int C = 512;
    static final int L = QuantileGrid.size();
    static final double TOL = 1e-4; // float32 values of amplitude 10: ulp ~1e-6

    final SeasonalNaiveForecaster forecaster = new SeasonalNaiveForecaster();

    static double wave(int t) {
        return 10 * Math.sin(2 * Math.PI * t / 24) + 3 * Math.cos(2 * Math.PI * t / 8);
    }

    static float[] waveContext(int c) {
        float[] y = new float[c];
        for (int t = 0; t < c; t++) {
            y[t] = (float) wave(t);
        }
        return y;
    }

    static ForecastRequest request(String key, float[] y, boolean[] o) {
        return new ForecastRequest(key, 0L, y, o);
    }

    static double q(QuantileForecast f, int step, double level) {
        return f.quantiles()[step * L + QuantileGrid.indexOf(level)];
    }

    @Test
    void identifiesItself() {
        assertThat(forecaster.name()).isEqualTo("seasonal-naive");
        assertThat(forecaster.version()).isEqualTo("1");
        assertThat(forecaster.patchSize()).isEqualTo(16);
    }

    @Test
    void continuesAPureSineForHorizon16And64() {
        float[] y = waveContext(C);
        assertThat(SeasonalNaiveForecaster.season(y, allObserved(C))).isEqualTo(24);
        for (int horizon : new int[] {16, 64}) {
            QuantileForecast f = forecaster.forecast(
                    List.of(request("sine", y, allObserved(C))), horizon).get(0);
            assertThat(f.horizon()).isEqualTo(horizon);
            for (int h = 0; h < horizon; h++) {
                double truth = wave(C + h);
                assertThat((double) f.mean()[h]).as("mean step %d", h)
                        .isCloseTo(truth, within(TOL));
                assertThat(q(f, h, 0.0005)).as("q0.0005 step %d", h).isCloseTo(truth, within(TOL));
                assertThat(q(f, h, 0.9995)).as("q0.9995 step %d", h).isCloseTo(truth, within(TOL));
            }
        }
    }

    @Test
    void longerHorizonExtendsTheShorterOne() {
        float[] y = SeasonDetectorTest.sine(C, 24, 10, 0, 1, 4);
        ForecastRequest r = request("a", y, allObserved(C));
        QuantileForecast f16 = forecaster.forecast(r, 16);
        QuantileForecast f64 = forecaster.forecast(r, 64);
        assertThat(Arrays.copyOf(f64.quantiles(), 16 * L)).containsExactly(f16.quantiles());
        assertThat(Arrays.copyOf(f64.mean(), 16)).containsExactly(f16.mean());
    }

    @Test
    void intervalsCoverNoisyContinuationsAtTheirNominalRate() {
        // period 24, amplitude 10, Gaussian noise sigma 1; 300 contexts with fresh continuations
        Random rnd = new Random(42);
        int horizon = 16;
        int n = 0;
        int in80 = 0;
        int in98 = 0;
        for (int series = 0; series < 300; series++) {
            int phase = rnd.nextInt(24);
            float[] y = new float[C];
            for (int t = 0; t < C; t++) {
                y[t] = (float) (10 * Math.sin(2 * Math.PI * (t + phase) / 24)
                        + rnd.nextGaussian());
            }
            QuantileForecast f =
                    forecaster.forecast(request("s" + series, y, allObserved(C)), horizon);
            for (int h = 0; h < horizon; h++) {
                double actual =
                        10 * Math.sin(2 * Math.PI * (C + h + phase) / 24) + rnd.nextGaussian();
                n++;
                if (actual >= q(f, h, 0.1) && actual <= q(f, h, 0.9)) {
                    in80++;
                }
                if (actual >= q(f, h, 0.01) && actual <= q(f, h, 0.99)) {
                    in98++;
                }
            }
        }
        // 4800 points: binomial sd 0.6 / 0.2 points; tolerance covers residual-quantile noise
        assertThat(100.0 * in80 / n).as("80%% interval coverage").isBetween(77.0, 83.0);
        assertThat(100.0 * in98 / n).as("98%% interval coverage").isBetween(96.5, 99.5);
    }

    @Test
    void extrapolatesExtremeLevelsBeyondTheResiduals() {
        QuantileForecast f = forecaster.forecast(
                request("n", SeasonDetectorTest.sine(C, 24, 10, 0, 1, 11), allObserved(C)), 16);
        for (int h = 0; h < 16; h++) {
            double med = q(f, h, 0.5);
            // errors e_t - e_{t-24}: sd sqrt 2, normal 0.9995 quantile 4.65 from the median
            assertThat(q(f, h, 0.9995) - med).isBetween(4.0, 6.5);
            assertThat(med - q(f, h, 0.0005)).isBetween(4.0, 6.5);
            assertThat(q(f, h, 0.0005)).isLessThan(q(f, h, 0.001));
            assertThat(q(f, h, 0.999)).isLessThan(q(f, h, 0.9995));
        }
    }

    @Test
    void randomWalksGetNoSeasonAndTheLastValue() {
        for (long seed = 0; seed < 200; seed++) {
            float[] y = randomWalk(C, 0, seed);
            assertThat(SeasonalNaiveForecaster.season(y, allObserved(C))).as("seed %d", seed)
                    .isEqualTo(1);
        }
        float[] y = randomWalk(C, 0, 7);
        QuantileForecast f = forecaster.forecast(request("rw", y, allObserved(C)), 16);
        for (int h = 0; h < 16; h++) {
            assertThat(q(f, h, 0.1)).isLessThan(y[C - 1]);
            assertThat(q(f, h, 0.9)).isGreaterThan(y[C - 1]);
        }
        // naive h-step errors of a random walk widen with h
        assertThat(q(f, 15, 0.9) - q(f, 15, 0.1)).isGreaterThan(2 * (q(f, 0, 0.9) - q(f, 0, 0.1)));
    }

    @Test
    void linearTrendGetsNoSeasonAndContinuesThroughTheErrorDrift() {
        float[] y = new float[C];
        for (int t = 0; t < C; t++) {
            y[t] = 2 + 0.5f * t;
        }
        assertThat(SeasonalNaiveForecaster.season(y, allObserved(C))).isEqualTo(1);
        QuantileForecast f = forecaster.forecast(request("trend", y, allObserved(C)), 16);
        for (int h = 0; h < 16; h++) {
            double truth = 2 + 0.5 * (C + h);
            assertThat(q(f, h, 0.5)).isCloseTo(truth, within(1e-3));
            assertThat((double) f.mean()[h]).isCloseTo(truth, within(1e-3));
        }
    }

    @Test
    void constantSeriesGivesAZeroWidthForecastAtTheConstant() {
        for (int c : new int[] {16, C}) {
            float[] y = new float[c];
            Arrays.fill(y, 4.25f);
            QuantileForecast f = forecaster.forecast(request("k", y, allObserved(c)), 64);
            for (float v : f.quantiles()) {
                assertThat(v).isEqualTo(4.25f);
            }
            for (float v : f.mean()) {
                assertThat(v).isEqualTo(4.25f);
            }
        }
    }

    @Test
    void missingSlotOneSeasonBackUsesTheSeasonBefore() {
        float[] y = waveContext(C);
        boolean[] o = allObserved(C);
        Random rnd = new Random(3);
        for (int t = 0; t < C; t++) {
            // the whole last season's copy source for steps 1..16, plus 10% at random
            if ((t >= C - 24 && t < C - 8) || rnd.nextDouble() < 0.1) {
                o[t] = false;
                y[t] = Float.NaN;
            }
        }
        QuantileForecast f = forecaster.forecast(request("gaps", y, o), 16);
        for (int h = 0; h < 16; h++) {
            double truth = wave(C + h);
            assertThat(q(f, h, 0.5)).as("median step %d", h).isCloseTo(truth, within(TOL));
            assertThat(q(f, h, 0.9995) - q(f, h, 0.0005)).isLessThan(1e-3);
        }
    }

    @Test
    void sparseContextFallsBackToLastValueWithSpreadScale() {
        float[] y = new float[C];
        boolean[] o = new boolean[C];
        y[100] = 5;
        y[300] = 9;
        y[450] = 6;
        o[100] = o[300] = o[450] = true;
        QuantileForecast f = forecaster.forecast(request("sparse", y, o), 16);
        for (int h = 0; h < 16; h++) {
            assertThat(q(f, h, 0.5)).isEqualTo(6f);
            assertThat(q(f, h, 0.9) - q(f, h, 0.1)).isGreaterThan(0.5f);
        }
    }

    @Test
    void shortNoisyContextStillGivesHonestWidth() {
        float[] y = SeasonDetectorTest.sine(16, 24, 0, 0, 1, 2);
        QuantileForecast f = forecaster.forecast(request("short", y, allObserved(16)), 16);
        for (int h = 0; h < 16; h++) {
            assertThat(q(f, h, 0.5)).isEqualTo(y[15]);
            assertThat(q(f, h, 0.9) - q(f, h, 0.1)).isGreaterThan(1.0f);
        }
    }

    @Test
    void rejectsAContextWithoutObservations() {
        ForecastRequest r = request("empty", new float[32], new boolean[32]);
        assertThatThrownBy(() -> forecaster.forecast(List.of(r), 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("series empty")
                .hasMessageContaining("no observed value");
    }

    @Test
    void rejectsNonFiniteObservationsAndBadHorizon() {
        float[] y = waveContext(32);
        y[5] = Float.NaN;
        assertThatThrownBy(() -> forecaster.forecast(request("nan", y, allObserved(32)), 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slot 5");
        assertThatThrownBy(() -> forecaster.forecast(List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("horizon must be >= 1, got 0");
    }

    @Test
    void batchGivesTheSameResultAsOneAtATime() {
        List<ForecastRequest> batch = new ArrayList<>();
        batch.add(request("sine", waveContext(C), allObserved(C)));
        batch.add(request("noisy", SeasonDetectorTest.sine(C, 24, 5, 0, 1, 1), allObserved(C)));
        batch.add(request("rw", randomWalk(C, 0.2, 2), allObserved(C)));
        batch.add(request("short", SeasonDetectorTest.sine(48, 12, 3, 0, 1, 3), allObserved(48)));
        float[] k = new float[64];
        Arrays.fill(k, 1f);
        batch.add(request("const", k, allObserved(64)));
        for (int horizon : new int[] {16, 64}) {
            List<QuantileForecast> together = forecaster.forecast(batch, horizon);
            assertThat(together).hasSize(batch.size());
            for (int i = batch.size() - 1; i >= 0; i--) {
                QuantileForecast alone = forecaster.forecast(List.of(batch.get(i)), horizon).get(0);
                assertThat(together.get(i).quantiles()).as("request %d", i)
                        .containsExactly(alone.quantiles());
                assertThat(together.get(i).mean()).containsExactly(alone.mean());
            }
        }
    }
}
