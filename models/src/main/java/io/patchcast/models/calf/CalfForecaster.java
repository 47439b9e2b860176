package io.patchcast.models.calf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link Forecaster} over a CALF model trained for one channel group (e.g. all metrics of a host).
 *
 * <p>CALF is multivariate: the M channels of a group are its M tokens, so a batch holds whole
 * groups, M consecutive requests in the order of {@link #channels()}, each request's {@code
 * seriesKey} equal to its channel's name. A channel's forecast depends on its group's channels (by
 * design of the model) and on nothing else in the batch. The last {@code seq_len} context steps are
 * used; unobserved or missing steps take the last observed value before them (the first observed
 * value at the start; 0 for a channel with no observation). Only the time branch runs (spec §3.7).
 *
 * <p>CALF gives point forecasts: the mean is the forecast, and the quantiles are the forecast plus
 * split-conformal offsets per series over a rolling window. The window is the series' own recent
 * past in its context: the model also makes up to {@link #MAX_CALIBRATION_WINDOWS} earlier
 * forecasts, from origins {@link #CALIBRATION_STRIDE} steps apart (the job's patch), and the residuals of
 * those forecasts against the observed values give the offsets ({@link ConformalResiduals#rolling}).
 * Levels the window is too short for fall back to, or are widened by, the calibration stored with
 * the model. Stateless, so a restarted job computes the same intervals. Horizons up to {@code
 * pred_len} (direct multi-step head).
 */
public final class CalfForecaster implements Forecaster {

    /** Steps between the rolling calibration forecasts: one patch of the job. */
    public static final int CALIBRATION_STRIDE = 16;
    /** Most rolling calibration forecasts per series (a context of 512 and seq_len 96 holds 26). */
    public static final int MAX_CALIBRATION_WINDOWS = 32;
    /** Fewer residuals than this for a step: the stored calibration alone gives its offsets. */
    public static final int MIN_RESIDUALS = 8;

    private final CalfParameters params;
    private final CalfModel model;
    private final List<String> channels;
    private final ConformalResiduals residuals;
    private final String name;
    private final String version;

    /** Takes ownership of {@code params}: merges its LoRA and caps its manager. */
    public CalfForecaster(
            CalfParameters params, List<String> channels, ConformalResiduals residuals, String name, String version) {
        this.params = Objects.requireNonNull(params, "params");
        this.channels = List.copyOf(channels);
        this.residuals = Objects.requireNonNull(residuals, "residuals");
        this.name = Objects.requireNonNull(name, "name");
        this.version = Objects.requireNonNull(version, "version");
        CalfConfig c = params.config();
        if (channels.isEmpty() || channels.size() > c.nPositions()) {
            throw new IllegalArgumentException(
                    String.format("%d channels; CALF needs 1..%d (GPT-2 positions)", channels.size(), c.nPositions()));
        }
        if (residuals.channels() != channels.size() || residuals.horizon() != c.predLen()) {
            throw new IllegalArgumentException(
                    String.format(
                            "residuals for %d channels x %d steps, model has %d channels x pred_len %d",
                            residuals.channels(), residuals.horizon(), channels.size(), c.predLen()));
        }
        params.mergeLora(); // serving: one c_attn matmul per block
        this.model = new CalfModel(params);
        params.manager().cap();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public int patchSize() {
        return 1;
    }

    @Override
    public int maxHorizon() {
        return params.config().predLen();
    }

    @Override
    public List<String> channels() {
        return channels;
    }

    @Override
    public List<QuantileForecast> forecast(List<ForecastRequest> batch, int horizon) {
        CalfConfig c = params.config();
        int m = channels.size();
        if (horizon < 1 || horizon > c.predLen()) {
            throw new IllegalArgumentException(
                    String.format("horizon %d outside 1..pred_len %d", horizon, c.predLen()));
        }
        if (batch.size() % m != 0) {
            throw new IllegalArgumentException(
                    String.format("batch of %d requests is not whole groups of %d channels %s", batch.size(), m, channels));
        }
        int groups = batch.size() / m;
        int l = c.seqLen();
        int[] ctxLen = new int[groups]; // steps every member of the group has
        int[] windows = new int[groups]; // rolling calibration windows per group
        int[] firstRow = new int[groups];
        int rows = 0;
        for (int g = 0; g < groups; g++) {
            int len = Integer.MAX_VALUE;
            for (int ch = 0; ch < m; ch++) {
                ForecastRequest r = batch.get(g * m + ch);
                if (!channels.get(ch).equals(r.seriesKey())) {
                    throw new IllegalArgumentException(
                            String.format(
                                    "request %d is '%s', expected channel %d '%s' of %s",
                                    g * m + ch, r.seriesKey(), ch, channels.get(ch), channels));
                }
                len = Math.min(len, r.values().length);
            }
            ctxLen[g] = len;
            windows[g] = Math.min(MAX_CALIBRATION_WINDOWS, Math.max(0, (len - l) / CALIBRATION_STRIDE));
            firstRow[g] = rows;
            rows += 1 + windows[g];
        }
        // row 0 of a group forecasts after its context; row k backtests from k strides earlier
        float[] x = new float[rows * l * m]; // (rows, L, M)
        for (int g = 0; g < groups; g++) {
            for (int ch = 0; ch < m; ch++) {
                ForecastRequest r = batch.get(g * m + ch);
                int skip = r.values().length - ctxLen[g]; // a longer member's extra oldest steps
                for (int k = 0; k <= windows[g]; k++) {
                    float[] in = fill(r, skip + ctxLen[g] - k * CALIBRATION_STRIDE, l);
                    int row = firstRow[g] + k;
                    for (int t = 0; t < l; t++) {
                        x[(row * l + t) * m + ch] = in[t];
                    }
                }
            }
        }
        float[] y;
        try (NDManager call = params.manager().newSubManager()) {
            NDArray xs = call.create(x, new Shape(rows, l, m));
            y = model.forward(xs, null).outputsTime().toFloatArray(); // (rows, H, M)
        }
        int p = c.predLen();
        int q = QuantileGrid.size();
        List<QuantileForecast> out = new ArrayList<>(batch.size());
        float[][] res = new float[horizon][MAX_CALIBRATION_WINDOWS];
        int[] counts = new int[horizon];
        for (int i = 0; i < batch.size(); i++) {
            int g = i / m;
            int ch = i % m;
            ForecastRequest r = batch.get(i);
            int skip = r.values().length - ctxLen[g];
            java.util.Arrays.fill(counts, 0);
            for (int k = 1; k <= windows[g]; k++) {
                int end = skip + ctxLen[g] - k * CALIBRATION_STRIDE;
                int row = firstRow[g] + k;
                for (int h = 0; h < horizon && end + h < r.values().length; h++) {
                    int t = end + h;
                    if (r.observed()[t] && Float.isFinite(r.values()[t])) {
                        res[h][counts[h]++] = r.values()[t] - y[(row * p + h) * m + ch];
                    }
                }
            }
            float[] offsets = ConformalResiduals.rolling(res, counts, MIN_RESIDUALS, residuals, ch);
            float[] mean = new float[horizon];
            float[] quantiles = new float[horizon * q];
            int row = firstRow[g];
            for (int h = 0; h < horizon; h++) {
                mean[h] = y[(row * p + h) * m + ch];
                for (int k = 0; k < q; k++) {
                    quantiles[h * q + k] = mean[h] + offsets[h * q + k];
                }
            }
            out.add(new QuantileForecast(quantiles, mean));
        }
        return out;
    }

    /**
     * The {@code l} steps before index {@code end} of the request's context, gaps filled with the last
     * observed value before them (the first observed value at the start; 0 with no observation).
     * Nothing at or after {@code end} is read.
     */
    static float[] fill(ForecastRequest r, int end, int l) {
        float[] v = r.values();
        boolean[] o = r.observed();
        float[] out = new float[l];
        int start = end - l; // may be negative: left part missing
        float first = 0f;
        for (int t = 0; t < end; t++) {
            if (o[t] && Float.isFinite(v[t])) {
                first = v[t];
                break;
            }
        }
        float last = first;
        for (int t = 0; t < end; t++) {
            if (o[t] && Float.isFinite(v[t])) {
                last = v[t];
            }
            if (t >= start) {
                out[t - start] = last;
            }
        }
        if (start < 0) {
            for (int t = 0; t < -start; t++) {
                out[t] = first;
            }
        }
        return out;
    }

    @Override
    public void close() {
        params.close();
    }
}
