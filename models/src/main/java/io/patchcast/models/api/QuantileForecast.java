package io.patchcast.models.api;

import java.util.Arrays;

/**
 * The forecast of one series: per future step, the quantiles on {@link QuantileGrid} and the mean.
 *
 * @param quantiles (horizon, L) row-major, L = {@link QuantileGrid#size()}, non-decreasing per step
 * @param mean (horizon)
 */
public record QuantileForecast(float[] quantiles, float[] mean) {

    public QuantileForecast {
        int l = QuantileGrid.size();
        if (mean.length == 0 || quantiles.length != mean.length * l) {
            throw new IllegalArgumentException(String.format(
                    "quantiles must hold horizon x %d = %d values, got %d", l, mean.length * l,
                    quantiles.length));
        }
        for (int s = 0; s < mean.length; s++) {
            for (int i = 0; i < l; i++) {
                float v = quantiles[s * l + i];
                if (!Float.isFinite(v) || (i > 0 && v < quantiles[s * l + i - 1])) {
                    throw new IllegalArgumentException(String.format(
                            "quantiles of step %d must be finite and non-decreasing: %s", s,
                            Arrays.toString(Arrays.copyOfRange(quantiles, s * l, s * l + l))));
                }
            }
        }
    }

    public int horizon() {
        return mean.length;
    }

    public PredictiveDistribution step(int h) {
        return new GridDistribution(quantiles, h * QuantileGrid.size(), mean[h]);
    }
}
