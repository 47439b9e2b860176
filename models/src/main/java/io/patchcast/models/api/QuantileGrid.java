package io.patchcast.models.api;

/**
 * The fixed probability levels at which every forecaster reports its predictive quantiles.
 *
 * <p>One grid for all models keeps forecasts comparable and lets the job hold a forecast in state
 * as plain {@code float[]} (no model objects in Flink state). The grid is dense in the middle (for
 * the score) and reaches 0.0005/0.9995 in the tails, so the central intervals users flag on (80, 90,
 * 95, 98, 99, 99.5, 99.8, 99.9 %) are exact model quantiles, not interpolations.
 */
public final class QuantileGrid {

    private static final double[] LEVELS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9,
        0.95, 0.975, 0.99, 0.995, 0.9975, 0.999, 0.9995
    };

    /** Index of the median in {@link #levels()}. */
    public static final int MEDIAN = 15;

    private QuantileGrid() {}

    /** A copy of the levels, ascending. */
    public static double[] levels() {
        return LEVELS.clone();
    }

    public static int size() {
        return LEVELS.length;
    }

    public static double level(int i) {
        return LEVELS[i];
    }

    /** Index of {@code p} in the grid, or -1 when {@code p} is not a grid level. */
    public static int indexOf(double p) {
        for (int i = 0; i < LEVELS.length; i++) {
            if (Math.abs(LEVELS[i] - p) < 1e-12) {
                return i;
            }
        }
        return -1;
    }
}
