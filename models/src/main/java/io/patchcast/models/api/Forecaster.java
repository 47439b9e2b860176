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

    /**
     * The series a multichannel model forecasts together, in channel order; empty (the default) for a
     * model of single series. A multichannel model takes batches of whole groups: {@code
     * channels().size()} consecutive requests per group, their {@code seriesKey}s these channels in
     * this order, with contexts that end at the same time.
     */
    default List<String> channels() {
        return List.of();
    }

    /** The longest horizon {@link #forecast} accepts (CALF: its {@code pred_len}); unbounded by default. */
    default int maxHorizon() {
        return Integer.MAX_VALUE;
    }

    @Override
    default void close() {}
}
