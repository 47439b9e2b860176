package io.patchcast.cli;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers a model's forecasts by batch of requests, so re-running the same files with other anomaly
 * parameters ({@code evaluate-nab --loo}) forecasts each patch once. Forecasts are deterministic per
 * request (seeded by series key and patch start), so a remembered forecast is the one the model
 * would give again. Safe to call from several threads: the model is called by one at a time. Does
 * not close the model.
 */
final class MemoForecaster implements Forecaster {

    private record Key(String seriesKey, long patchStart, int horizon, List<Float> values, String observed) {}

    private final Forecaster model;
    private final Map<List<Key>, List<QuantileForecast>> memo = new HashMap<>();
    private int modelCalls;

    MemoForecaster(Forecaster model) {
        this.model = model;
    }

    @Override
    public String name() {
        return model.name();
    }

    @Override
    public String version() {
        return model.version();
    }

    @Override
    public int patchSize() {
        return model.patchSize();
    }

    @Override
    public int maxHorizon() {
        return model.maxHorizon();
    }

    @Override
    public List<String> channels() {
        return model.channels();
    }

    @Override
    public List<QuantileForecast> forecast(List<ForecastRequest> batch, int horizon) {
        List<Key> key = new ArrayList<>(batch.size());
        for (ForecastRequest r : batch) {
            key.add(key(r, horizon));
        }
        // whole batches: a multichannel model needs its groups together
        synchronized (memo) {
            return memo.computeIfAbsent(key, k -> {
                modelCalls++;
                return model.forecast(batch, horizon);
            });
        }
    }

    /** Batches the model has forecast so far (the others came from memory). */
    int modelCalls() {
        synchronized (memo) {
            return modelCalls;
        }
    }

    private static Key key(ForecastRequest r, int horizon) {
        List<Float> values = new ArrayList<>(r.length());
        for (float v : r.values()) {
            values.add(v);
        }
        return new Key(r.seriesKey(), r.patchStart(), horizon, values, Arrays.toString(r.observed()));
    }
}
