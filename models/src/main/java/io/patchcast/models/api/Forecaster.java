package io.patchcast.models.api;

import java.util.List;

/**
 * A forecasting model: a batch of contexts in, the predictive distribution of each future step out.
 *
 * <p>Implementations are thread-safe for concurrent {@link #forecast} calls unless they say
 * otherwise, and a series' forecast never depends on the other series in its batch.
 */
public interface Forecaster extends AutoCloseable {

    /** Model name, e.g. {@code seasonal-naive} or {@code moirai-moe-small}. */
    String name();

    /** Model version, e.g. {@code 1} or the artifact's version folder. */
    String version();

    /** Context lengths must be a multiple of this (16 for Moirai-MoE). */
    int patchSize();

    /**
     * Forecasts {@code horizon} steps after each context.
     *
     * @return one forecast per request, in request order
     */
    List<QuantileForecast> forecast(List<ForecastRequest> batch, int horizon);

    @Override
    default void close() {}
}
