package io.patchcast.models.calf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import io.patchcast.models.io.SafetensorsReader;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The served CALF against the fixture's reference outputs; the window lengths and the channel count
 * come from the fixture ({@code input.x} is (B, L, M), {@code outputs_time} (B, H, M)), so the tests
 * hold for any fixture set made by calf-fixtures.py.
 */
class CalfForecasterTest {

    static final Path FIXTURES = CalfParityTest.FIXTURES;
    /** Context length L, horizon H and channels M of the fixture. */
    static final int L;
    static final int H;
    static final int M;
    static final List<String> CHANNELS;

    static {
        try (SafetensorsReader inf = SafetensorsReader.open(FIXTURES.resolve("inference.safetensors"))) {
            long[] x = inf.info("input.x").shape();
            L = (int) x[1];
            M = (int) x[2];
            H = (int) inf.info("outputs_time").shape()[1];
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> names = new ArrayList<>(List.of("cpu", "mem", "disk"));
        for (int ch = names.size(); ch < M; ch++) {
            names.add("ch" + ch);
        }
        CHANNELS = List.copyOf(names.subList(0, M));
    }

    private static CalfForecaster forecaster(NDManager root, ConformalResiduals res) throws Exception {
        return forecaster(root, res, "model.safetensors");
    }

    private static CalfForecaster forecaster(NDManager root, ConformalResiduals res, String file) throws Exception {
        CalfConfig c = CalfConfig.read(FIXTURES.resolve("config.json"));
        CalfParameters p = CalfParameters.load(c, FIXTURES.resolve(file), null, root.newSubManager());
        return new CalfForecaster(p, CHANNELS, res, "calf-test", "1");
    }

    /** Requests of one group from input.x (B, L, M) sample b. */
    private static List<ForecastRequest> group(float[] x, int b, int l, int m) {
        List<ForecastRequest> out = new ArrayList<>();
        for (int ch = 0; ch < m; ch++) {
            float[] v = new float[l];
            for (int t = 0; t < l; t++) {
                v[t] = x[(b * l + t) * m + ch];
            }
            boolean[] o = new boolean[l];
            Arrays.fill(o, true);
            out.add(new ForecastRequest(CHANNELS.get(ch), 0L, v, o));
        }
        return out;
    }

    @Test
    void forecastIsTheReferenceOutputsTimeForEachGroup() throws Exception {
        try (NDManager root = NDManager.newBaseManager();
                SafetensorsReader inf = SafetensorsReader.open(FIXTURES.resolve("inference.safetensors"));
                CalfForecaster f = forecaster(root, ConformalResiduals.none(M, H))) {
            float[] x = inf.floats("input.x");
            float[] expected = inf.floats("outputs_time"); // (B, H, M)
            List<ForecastRequest> batch = new ArrayList<>(group(x, 0, L, M));
            batch.addAll(group(x, 1, L, M));
            List<QuantileForecast> out = f.forecast(batch, H);
            assertThat(out).hasSize(2 * M);
            for (int i = 0; i < 2 * M; i++) {
                for (int h = 0; h < H; h++) {
                    float e = expected[((i / M) * H + h) * M + i % M];
                    assertThat(out.get(i).mean()[h]).isCloseTo(e, within(1e-4f));
                    assertThat(out.get(i).quantiles()[h * QuantileGrid.size()]).isEqualTo(out.get(i).mean()[h]);
                }
            }
            // the second group alone gives the same forecast; a shorter horizon is a prefix
            int shorter = Math.min(5, H);
            List<QuantileForecast> alone = f.forecast(group(x, 1, L, M), shorter);
            for (int ch = 0; ch < M; ch++) {
                for (int h = 0; h < shorter; h++) {
                    assertThat(alone.get(ch).mean()[h]).isCloseTo(out.get(M + ch).mean()[h], within(1e-5f));
                }
            }
        }
    }

    @Test
    void unmergedCheckpointIsMergedForServingWithTheSameForecast() throws Exception {
        try (NDManager root = NDManager.newBaseManager();
                SafetensorsReader inf = SafetensorsReader.open(FIXTURES.resolve("inference.safetensors"));
                CalfForecaster f = forecaster(root, ConformalResiduals.none(M, H), "model_unmerged.safetensors")) {
            float[] expected = inf.floats("outputs_time");
            List<QuantileForecast> out = f.forecast(group(inf.floats("input.x"), 1, L, M), H);
            for (int ch = 0; ch < M; ch++) {
                for (int h = 0; h < H; h++) {
                    assertThat(out.get(ch).mean()[h]).isCloseTo(expected[(H + h) * M + ch], within(1e-4f));
                }
            }
        }
    }

    @Test
    void rejectsBatchesThatAreNotWholeGroupsInChannelOrder() throws Exception {
        try (NDManager root = NDManager.newBaseManager();
                SafetensorsReader inf = SafetensorsReader.open(FIXTURES.resolve("inference.safetensors"));
                CalfForecaster f = forecaster(root, ConformalResiduals.none(M, H))) {
            List<ForecastRequest> g = group(inf.floats("input.x"), 0, L, M);
            assertThatThrownBy(() -> f.forecast(g.subList(0, M - 1), 4)).hasMessageContaining("whole groups");
            List<ForecastRequest> swapped = new ArrayList<>(g);
            java.util.Collections.swap(swapped, 0, 1);
            assertThatThrownBy(() -> f.forecast(swapped, 4)).hasMessageContaining("expected channel 0 'cpu'");
            assertThatThrownBy(() -> f.forecast(g, H + 1)).hasMessageContaining("pred_len " + H);
        }
    }

    @Test
    void repeatedForecastsLeaveNoArraysBehind() throws Exception {
        try (NDManager root = NDManager.newBaseManager();
                SafetensorsReader inf = SafetensorsReader.open(FIXTURES.resolve("inference.safetensors"));
                CalfForecaster f = forecaster(root, ConformalResiduals.none(M, H))) {
            List<ForecastRequest> g = group(inf.floats("input.x"), 0, L, M);
            f.forecast(g, H);
            int before = root.getManagedArrays().size();
            for (int i = 0; i < 20; i++) {
                f.forecast(g, H);
            }
            assertThat(root.getManagedArrays().size()).isEqualTo(before);
        }
    }

    @Test
    void conformalOffsetsAreOrderStatisticsOfTheResiduals() {
        // one channel, one step, residuals 1..9: level q takes the ceil(10 q)-th smallest
        float[] r = {5, 3, 9, 1, 7, 2, 8, 4, 6};
        ConformalResiduals c = ConformalResiduals.fromResiduals(r, 9, 1, 1);
        for (int l = 0; l < QuantileGrid.size(); l++) {
            int k = Math.min(Math.max((int) Math.ceil(10 * QuantileGrid.level(l)), 1), 9);
            assertThat(c.offset(0, 0, l)).isEqualTo((float) k);
        }
        assertThat(c.offset(0, 0, QuantileGrid.MEDIAN)).isEqualTo(5f); // level 0.5 -> 5th
    }

    @Test
    void intervalsComeFromTheSeriesOwnRollingBacktests() throws Exception {
        int len = L + 16 * 12; // 12 rolling windows
        List<ForecastRequest> g = new ArrayList<>();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        for (int ch = 0; ch < M; ch++) {
            float[] v = new float[len];
            boolean[] o = new boolean[len];
            for (int t = 0; t < len; t++) {
                v[t] = (float) (10 * ch + Math.sin(t / 4.0) * (ch + 1) + rnd.nextGaussian());
                o[t] = t % 37 != 5; // a few gaps: their residuals are skipped
            }
            g.add(new ForecastRequest(CHANNELS.get(ch), 0L, v, o));
        }
        int h = Math.min(8, H);
        // the stored calibration: wide, so the tail levels show where it widens the rolling ones
        float[] wide = new float[M * H * QuantileGrid.size()];
        for (int i = 0; i < wide.length; i++) {
            wide[i] = (float) ((QuantileGrid.level(i % QuantileGrid.size()) - 0.5) * 100);
        }
        ConformalResiduals stored = new ConformalResiduals(M, H, wide);
        try (NDManager root = NDManager.newBaseManager(); CalfForecaster f = forecaster(root, stored)) {
            List<QuantileForecast> out = f.forecast(g, h);
            for (int ch = 0; ch < M; ch++) {
                float[][] res = new float[h][CalfForecaster.MAX_CALIBRATION_WINDOWS];
                int[] counts = new int[h];
                for (int k = 1; k <= 12; k++) {
                    int end = len - 16 * k;
                    List<ForecastRequest> past = new ArrayList<>();
                    for (ForecastRequest r : g) {
                        past.add(new ForecastRequest(r.seriesKey(), 0L, Arrays.copyOf(r.values(), end),
                                Arrays.copyOf(r.observed(), end)));
                    }
                    float[] backtest = f.forecast(past, h).get(ch).mean();
                    for (int s = 0; s < h; s++) {
                        if (g.get(ch).observed()[end + s]) {
                            res[s][counts[s]++] = g.get(ch).values()[end + s] - backtest[s];
                        }
                    }
                }
                float[] expected = ConformalResiduals.rolling(res, counts, CalfForecaster.MIN_RESIDUALS, stored, ch);
                QuantileForecast fc = out.get(ch);
                for (int i = 0; i < h * QuantileGrid.size(); i++) {
                    assertThat(fc.quantiles()[i] - fc.mean()[i / QuantileGrid.size()]).as("channel %d value %d", ch, i)
                            .isCloseTo(expected[i], within(2e-4f));
                }
                int q90 = QuantileGrid.indexOf(0.9);
                int q999 = QuantileGrid.indexOf(0.999);
                // 12 residuals: 0.9 is the 12th smallest (inside the sample), 0.999 beyond it -> stored 49.9
                assertThat(expected[q90]).isLessThan(20f);
                assertThat(expected[q999]).isEqualTo(wide[q999]);
            }
        }
    }

    @Test
    void rollingOffsetsUseTheSampleWhereItReachesAndTheStoredCalibrationBeyond() {
        int q = QuantileGrid.size();
        ConformalResiduals stored = new ConformalResiduals(1, 1, new float[q]); // all zero
        float[][] res = {{5, 3, 9, 1, 7, 2, 8, 4, 6}};
        float[] o = ConformalResiduals.rolling(res, new int[] {9}, 8, stored, 0);
        assertThat(o[QuantileGrid.MEDIAN]).isEqualTo(5f); // ceil(10 * 0.5) = 5th
        assertThat(o[QuantileGrid.indexOf(0.9)]).isEqualTo(9f); // ceil(9) = 9th
        assertThat(o[QuantileGrid.indexOf(0.95)]).isEqualTo(9f); // beyond: max(extreme 9, stored 0)
        assertThat(o[QuantileGrid.indexOf(0.1)]).isEqualTo(1f); // floor(1) = 1st
        assertThat(o[QuantileGrid.indexOf(0.05)]).isEqualTo(0f); // beyond: min(extreme 1, stored 0)
        // too few residuals: the stored calibration alone
        float[] few = ConformalResiduals.rolling(new float[][] {{5, 3, 9}}, new int[] {3}, 8, stored, 0);
        assertThat(few).containsOnly(0f);
    }

    @Test
    void gapsTakeTheLastObservedValue() {
        ForecastRequest r = new ForecastRequest("cpu", 0L, new float[] {9, 1, 99, 3, Float.NaN},
                new boolean[] {true, true, false, true, true});
        assertThat(CalfForecaster.fill(r, 5, 4)).containsExactly(1f, 1f, 3f, 3f);
        assertThat(CalfForecaster.fill(r, 5, 7)).containsExactly(9f, 9f, 9f, 1f, 1f, 3f, 3f);
        // nothing at or after the end is read
        assertThat(CalfForecaster.fill(r, 3, 3)).containsExactly(9f, 1f, 1f);
    }
}
