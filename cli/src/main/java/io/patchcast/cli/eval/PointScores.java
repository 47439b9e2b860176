package io.patchcast.cli.eval;

import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;

/**
 * Accumulates the errors of one model's forecasts on one series: absolute error of the median,
 * CRPS approximated from the quantile grid, and hits of the 80/95/99 % central intervals.
 *
 * <p>CRPS = 2 * integral over alpha in (0, 1) of the pinball loss of the alpha-quantile; the
 * integral is taken with the trapezoid rule over the grid levels of {@link QuantileGrid}, with the
 * outermost levels' loss held constant to 0 and 1. For a point forecast (all quantiles equal to
 * q) this gives exactly |y - q|.
 */
public final class PointScores {

    /** Nominal coverages of the central intervals that {@link #coverage} reports. */
    public static final double[] INTERVALS = {0.8, 0.95, 0.99};

    private static final double[] WEIGHTS = trapezoidWeights();

    private double absError;
    private double crps;
    private double absTarget;
    private long n;
    private final long[] hits = new long[INTERVALS.length];

    /** Adds step h of forecast f against the observed value y (NaN is skipped). */
    public void add(QuantileForecast f, int h, double y) {
        if (Double.isNaN(y)) {
            return;
        }
        int l = QuantileGrid.size();
        int o = h * l;
        float[] q = f.quantiles();
        absError += Math.abs(y - q[o + QuantileGrid.MEDIAN]);
        crps += crps(q, o, y);
        absTarget += Math.abs(y);
        for (int i = 0; i < INTERVALS.length; i++) {
            double a = (1 - INTERVALS[i]) / 2;
            int lo = QuantileGrid.indexOf(a);
            int hi = QuantileGrid.indexOf(1 - a);
            if (y >= q[o + lo] && y <= q[o + hi]) {
                hits[i]++;
            }
        }
        n++;
    }

    /** CRPS of the grid quantiles {@code q[o .. o + L)} at y (see the class comment). */
    static double crps(float[] q, int o, double y) {
        double s = 0;
        for (int i = 0; i < QuantileGrid.size(); i++) {
            double a = QuantileGrid.level(i);
            double e = y - q[o + i];
            double pinball = e >= 0 ? a * e : (a - 1) * e;
            s += WEIGHTS[i] * pinball;
        }
        return 2 * s;
    }

    private static double[] trapezoidWeights() {
        int l = QuantileGrid.size();
        double[] w = new double[l];
        for (int i = 0; i < l; i++) {
            double left = i == 0 ? 0 : (QuantileGrid.level(i) - QuantileGrid.level(i - 1)) / 2;
            double right = i == l - 1 ? 0 : (QuantileGrid.level(i + 1) - QuantileGrid.level(i)) / 2;
            w[i] = left + right;
        }
        w[0] += QuantileGrid.level(0);
        w[l - 1] += 1 - QuantileGrid.level(l - 1);
        return w;
    }

    public long count() {
        return n;
    }

    /** Mean absolute error of the median forecast. */
    public double mae() {
        return absError / n;
    }

    /** Mean CRPS divided by the mean absolute target (scaled CRPS, comparable across series). */
    public double scaledCrps() {
        return absTarget == 0 ? crps / n : crps / absTarget;
    }

    /** Mean CRPS in the units of the series. */
    public double crps() {
        return crps / n;
    }

    /** Fraction of targets inside the central interval {@code INTERVALS[i]}. */
    public double coverage(int i) {
        return (double) hits[i] / n;
    }

    public long hits(int i) {
        return hits[i];
    }
}
