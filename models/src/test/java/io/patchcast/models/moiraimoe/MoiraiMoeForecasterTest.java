package io.patchcast.models.moiraimoe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import io.patchcast.models.io.SafetensorsReader;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

class MoiraiMoeForecasterTest {

    static MoiraiMoeForecaster forecaster;

    @BeforeAll
    static void load() throws Exception {
        forecaster =
                MoiraiMoeForecaster.builder()
                        .setCheckpoint(MoiraiMoEParityTest.FIXTURES.resolve("model"))
                        .setVersion("test-1")
                        .setNumSamples(30)
                        .setEngineThreads(3)
                        .build();
    }

    @AfterAll
    static void close() {
        forecaster.close();
    }

    static ForecastRequest series(String key, int length, long seed, double missing) {
        Random r = new Random(seed);
        float[] v = new float[length];
        boolean[] o = new boolean[length];
        double level = 50 + 100 * r.nextDouble();
        for (int t = 0; t < length; t++) {
            v[t] = (float) (level + 10 * Math.sin(2 * Math.PI * t / 24) + r.nextGaussian());
            o[t] = r.nextDouble() >= missing;
            if (!o[t]) {
                v[t] = r.nextBoolean() ? Float.NaN : -999f; // content unspecified
            }
        }
        return new ForecastRequest(key, 1_700_000_000_000L + length, v, o);
    }

    /**
     * 63 others of different lengths (multiples of 16 and not) and missing rates; 12 of them pad to
     * the target's length, so the target shares its forward pass with them.
     */
    static List<ForecastRequest> crowd(ForecastRequest target, int at) {
        List<ForecastRequest> batch = new ArrayList<>();
        int c = (target.length() + 15) / 16 * 16;
        for (int i = 0; i < 63; i++) {
            int len = i < 12 ? c - (i % 16) : 20 + 37 * i % 300;
            batch.add(series("other-" + i, len, 1000 + i, (i % 4) * 0.1));
        }
        batch.add(at, target);
        return batch;
    }

    @Test
    void nextPatchIsIdenticalAloneOrInABatchOf64() {
        ForecastRequest target = series("cpu.host-7", 100, 7, 0.15);
        QuantileForecast alone = forecaster.forecast(List.of(target), 16).get(0);
        QuantileForecast crowded = forecaster.forecast(crowd(target, 17), 16).get(17);
        assertSameForecast(alone, crowded);
    }

    @Test
    void multiPatchSamplesAreIdenticalAloneOrInABatchOf64() {
        ForecastRequest target = series("mem.host-3", 75, 3, 0.2);
        QuantileForecast alone = forecaster.forecast(List.of(target), 40).get(0);
        QuantileForecast crowded = forecaster.forecast(crowd(target, 40), 40).get(40);
        assertSameForecast(alone, crowded);
        assertThat(alone.horizon()).isEqualTo(40);
    }

    /**
     * Same tokens, seeds and draw order; only the row count of the batched matmuls differs, and the
     * module pads matmul rows so that CPU kernels round every row alike (MoEFeedForward.ROW_BLOCK /
     * MIN_ROWS). So the forecasts must be bit-identical.
     */
    static void assertSameForecast(QuantileForecast a, QuantileForecast b) {
        assertThat(b.horizon()).isEqualTo(a.horizon());
        double worst = 0;
        for (int i = 0; i < a.quantiles().length; i++) {
            worst = Math.max(worst, rel(a.quantiles()[i], b.quantiles()[i]));
        }
        for (int h = 0; h < a.horizon(); h++) {
            worst = Math.max(worst, rel(a.mean()[h], b.mean()[h]));
        }
        System.out.printf("alone vs batch of 64: max relative difference %.3g%n", worst);
        assertThat(worst).as("max relative difference alone vs in batch").isZero();
    }

    static double rel(float x, float y) {
        return Math.abs(x - y) / Math.max(1.0, Math.abs(x));
    }

    /**
     * Three compute threads (row chunks side by side; one series' experts side by side) against one:
     * each piece runs single-threaded and results are combined in a fixed order, so bit-identical.
     */
    @Test
    void computeThreadCountDoesNotChangeForecasts() throws Exception {
        ForecastRequest target = series("disk.host-1", 130, 11, 0.1);
        try (MoiraiMoeForecaster one =
                MoiraiMoeForecaster.builder()
                        .setCheckpoint(MoiraiMoEParityTest.FIXTURES.resolve("model"))
                        .setVersion("test-1")
                        .setNumSamples(30)
                        .setEngineThreads(1)
                        .build()) {
            assertThat(one.module().computeThreads()).isEqualTo(1);
            assertThat(forecaster.module().computeThreads()).isEqualTo(3);
            assertSameForecast(
                    one.forecast(List.of(target), 16).get(0),
                    forecaster.forecast(List.of(target), 16).get(0));
            List<ForecastRequest> batch = crowd(target, 5);
            List<QuantileForecast> a = one.forecast(batch, 40);
            List<QuantileForecast> b = forecaster.forecast(batch, 40);
            for (int i = 0; i < batch.size(); i++) {
                assertSameForecast(a.get(i), b.get(i));
            }
        }
    }

    @Test
    void concurrentCallsGiveTheSameForecastsAsSequentialOnes() throws Exception {
        List<ForecastRequest> a = List.of(series("a1", 64, 21, 0.1), series("a2", 90, 22, 0));
        List<ForecastRequest> b = List.of(series("b1", 128, 23, 0.3));
        List<QuantileForecast> fa = forecaster.forecast(a, 24);
        List<QuantileForecast> fb = forecaster.forecast(b, 24);
        java.util.concurrent.ExecutorService pool =
                java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                var ca = pool.submit(() -> forecaster.forecast(a, 24));
                var cb = pool.submit(() -> forecaster.forecast(b, 24));
                for (int i = 0; i < a.size(); i++) {
                    assertThat(ca.get().get(i).quantiles()).containsExactly(fa.get(i).quantiles());
                }
                assertThat(cb.get().get(0).quantiles()).containsExactly(fb.get(0).quantiles());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void drawsDependOnSeriesKeyAndVersion() throws Exception {
        ForecastRequest a = series("k1", 64, 1, 0);
        ForecastRequest b = new ForecastRequest("k2", a.patchStart(), a.values(), a.observed());
        List<QuantileForecast> f = forecaster.forecast(List.of(a, b), 32);
        // the first patch is exact (no draws); the second comes from differently seeded paths
        assertThat(f.get(0).quantiles()[0]).isEqualTo(f.get(1).quantiles()[0]);
        assertThat(f.get(0).mean()[20]).isNotEqualTo(f.get(1).mean()[20]);
        try (MoiraiMoeForecaster v2 =
                MoiraiMoeForecaster.builder()
                        .setCheckpoint(MoiraiMoEParityTest.FIXTURES.resolve("model"))
                        .setVersion("test-2")
                        .setNumSamples(30)
                        .build()) {
            QuantileForecast other = v2.forecast(List.of(a), 32).get(0);
            assertThat(other.mean()[20]).isNotEqualTo(f.get(0).mean()[20]);
            assertThat(other.mean()[3]).isEqualTo(f.get(0).mean()[3]);
        }
    }

    @Test
    void nextPatchMeanMatchesReferenceOnShortSeries() throws Exception {
        // fixture uni_short: T=40 < C=96, H=10; reference call0.mean at pred_index token
        try (SafetensorsReader r =
                SafetensorsReader.open(
                        MoiraiMoEParityTest.FIXTURES.resolve("case_uni_short.safetensors"))) {
            float[] s = r.floats("input.series.0");
            boolean[] o = new boolean[s.length];
            for (int i = 0; i < s.length; i++) {
                o[i] = !Float.isNaN(s[i]);
            }
            QuantileForecast f =
                    forecaster.forecast(List.of(new ForecastRequest("short", 0, s, o)), 10).get(0);
            float[] mean = r.floats("call0.mean"); // (1, L=7, 16), pred_index 5
            for (int h = 0; h < 10; h++) {
                float e = mean[5 * 16 + h];
                assertThat(f.mean()[h])
                        .as("step %d", h)
                        .isCloseTo(e, within(1e-4f + 1e-4f * Math.abs(e)));
            }
            // grid quantiles are non-decreasing (checked by QuantileForecast) and bracket the
            // median
            int m = QuantileGrid.MEDIAN;
            int n = QuantileGrid.size();
            assertThat(f.quantiles()[0]).isLessThan(f.quantiles()[m]);
            assertThat(f.quantiles()[n - 1]).isGreaterThan(f.quantiles()[m]);
        }
    }

    @Test
    void weightManagerHoldsTheSameArraysAfterManyForecasts() {
        ForecastRequest a = series("leak", 130, 11, 0.1);
        forecaster.forecast(List.of(a), 20);
        int before = forecaster.managedArrayCount();
        for (int i = 0; i < 25; i++) {
            forecaster.forecast(List.of(a, series("x" + i, 40 + i, i, 0.05)), i % 2 == 0 ? 8 : 24);
        }
        assertThat(forecaster.managedArrayCount()).isEqualTo(before);
    }
}
