package io.patchcast.job.inference;

import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;

/**
 * The forecast of one patch of one series, as it travels from inference to scoring and the sink.
 *
 * @param quantiles (horizon, L) on {@link QuantileGrid}, row-major
 * @param mean (horizon)
 */
public record ForecastResult(
        String seriesKey,
        long patchStart,
        long stepMillis,
        long issueTime,
        int contextLength,
        String model,
        String modelVersion,
        ForecastStatus status,
        float[] quantiles,
        float[] mean) {

    public QuantileForecast forecast() {
        return new QuantileForecast(quantiles, mean);
    }

    public int horizon() {
        return mean.length;
    }

    public long endExclusive() {
        return patchStart + mean.length * stepMillis;
    }
}
