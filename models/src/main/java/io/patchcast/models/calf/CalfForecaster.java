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
 * {@link ConformalResiduals} offsets (zero-width without calibration). Horizons up to {@code
 * pred_len} (direct multi-step head).
 */
public final class CalfForecaster implements Forecaster {

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

    public List<String> channels() {
        return channels;
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
        float[] x = new float[groups * l * m]; // (G, L, M)
        for (int i = 0; i < batch.size(); i++) {
            ForecastRequest r = batch.get(i);
            int ch = i % m;
            if (!channels.get(ch).equals(r.seriesKey())) {
                throw new IllegalArgumentException(
                        String.format(
                                "request %d is '%s', expected channel %d '%s' of %s",
                                i, r.seriesKey(), ch, channels.get(ch), channels));
            }
            float[] ctx = lastObservedFill(r, l);
            for (int t = 0; t < l; t++) {
                x[((i / m) * l + t) * m + ch] = ctx[t];
            }
        }
        float[] y;
        try (NDManager call = params.manager().newSubManager()) {
            NDArray xs = call.create(x, new Shape(groups, l, m));
            y = model.forward(xs, null).outputsTime().toFloatArray(); // (G, H, M)
        }
        int q = QuantileGrid.size();
        List<QuantileForecast> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            int g = i / m;
            int ch = i % m;
            float[] mean = new float[horizon];
            float[] quantiles = new float[horizon * q];
            for (int h = 0; h < horizon; h++) {
                mean[h] = y[(g * c.predLen() + h) * m + ch];
                for (int k = 0; k < q; k++) {
                    quantiles[h * q + k] = mean[h] + residuals.offset(ch, h, k);
                }
            }
            out.add(new QuantileForecast(quantiles, mean));
        }
        return out;
    }

    /** The last {@code l} steps with gaps filled by the last observed value (see class Javadoc). */
    static float[] lastObservedFill(ForecastRequest r, int l) {
        float[] v = r.values();
        boolean[] o = r.observed();
        float[] out = new float[l];
        int start = v.length - l; // may be negative: left part missing
        float first = 0f;
        for (int t = 0; t < v.length; t++) {
            if (o[t] && Float.isFinite(v[t])) {
                first = v[t];
                break;
            }
        }
        float last = first;
        for (int t = 0; t < v.length; t++) {
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
