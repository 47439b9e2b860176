package io.patchcast.models.fallback;

import io.patchcast.models.api.QuantileGrid;
import java.util.Arrays;

/**
 * The distribution of a forecast error (actual minus point forecast) as offsets at the {@link
 * QuantileGrid} levels, plus its mean. The predictive quantile is the point forecast plus the
 * offset.
 *
 * @param offsets (L) error quantiles at the grid levels, non-decreasing
 * @param mean mean error
 */
record ErrorDistribution(double[] offsets, double mean) {

    /** Fewest residuals an empirical distribution is built from. */
    static final int MIN_RESIDUALS = 20;

    /**
     * An empirical quantile at level p is used only where about this many residuals lie beyond it
     * ({@code p n >= 5}); further out the tail is extrapolated.
     */
    static final int TAIL_COUNT = 5;

    /** The tail scale is fitted between the outermost trusted level p and about 5 p. */
    static final double TAIL_ANCHOR_RATIO = 5;

    private static final double NORMAL_MAD = 1.4826; // sigma / MAD of a normal
    private static final double NORMAL_MEAN_AD = Math.sqrt(Math.PI / 2); // sigma / mean |x - mu|

    ErrorDistribution {
        if (offsets.length != QuantileGrid.size()) {
            throw new IllegalArgumentException(String.format(
                    "offsets must hold %d grid levels, got %d", QuantileGrid.size(),
                    offsets.length));
        }
        for (int i = 0; i < offsets.length; i++) {
            if (!Double.isFinite(offsets[i]) || (i > 0 && offsets[i] < offsets[i - 1])) {
                throw new IllegalArgumentException(
                        "offsets must be finite and non-decreasing: " + Arrays.toString(offsets));
            }
        }
        if (!Double.isFinite(mean)) {
            throw new IllegalArgumentException("mean error must be finite, got " + mean);
        }
    }

    /**
     * Empirical distribution of {@code factor * residual}: interpolated quantiles (Hyndman-Fan type
     * 7, R's default) at the levels with at least {@link #TAIL_COUNT} residuals beyond them; past
     * the outermost such level pA, an exponential tail {@code q(p) = q(pA) - b ln(pA / p)} with b
     * fitted between pA and the grid level near {@link #TAIL_ANCHOR_RATIO} pA (mirrored above the
     * median). The tail is the form {@link io.patchcast.models.api.GridDistribution} uses beyond
     * the grid, and it is never narrower than the empirical quantile (a rare large residual is
     * kept). For normal errors it overstates the 0.0005 quantile by about 0.3 sigma: honest width
     * where 500 residuals cannot tell.
     *
     * @param sorted (n) residuals, ascending, n >= {@link #MIN_RESIDUALS}
     * @param factor scale applied to every residual, > 0
     */
    static ErrorDistribution empirical(double[] sorted, double factor) {
        int n = sorted.length;
        if (n < MIN_RESIDUALS) {
            throw new IllegalArgumentException(String.format(
                    "an empirical error distribution needs at least %d residuals, got %d",
                    MIN_RESIDUALS, n));
        }
        int l = QuantileGrid.size();
        double[] q = new double[l];
        for (int i = 0; i < l; i++) {
            q[i] = factor * quantile(sorted, QuantileGrid.level(i));
        }
        // outermost trusted levels: p n >= TAIL_COUNT below, (1 - p) n >= TAIL_COUNT above
        int lo = 0;
        while (lo < QuantileGrid.MEDIAN && QuantileGrid.level(lo) * n < TAIL_COUNT) {
            lo++;
        }
        int hi = l - 1;
        while (hi > QuantileGrid.MEDIAN && (1 - QuantileGrid.level(hi)) * n < TAIL_COUNT) {
            hi--;
        }
        if (lo > 0) {
            double pA = QuantileGrid.level(lo);
            int b = anchorBelow(lo);
            double scale = (q[b] - q[lo]) / Math.log(QuantileGrid.level(b) / pA);
            for (int i = lo - 1; i >= 0; i--) {
                double p = QuantileGrid.level(i);
                q[i] = Math.min(q[lo] - scale * Math.log(pA / p), q[i]);
            }
        }
        if (hi < l - 1) {
            double pA = 1 - QuantileGrid.level(hi);
            int b = anchorAbove(hi);
            double scale = (q[hi] - q[b]) / Math.log((1 - QuantileGrid.level(b)) / pA);
            for (int i = hi + 1; i < l; i++) {
                double p = 1 - QuantileGrid.level(i);
                q[i] = Math.max(q[hi] + scale * Math.log(pA / p), q[i]);
            }
        }
        double sum = 0;
        for (double r : sorted) {
            sum += r;
        }
        return new ErrorDistribution(q, factor * sum / n);
    }

    /** First grid level at or past TAIL_ANCHOR_RATIO * level(lo), at most the median. */
    private static int anchorBelow(int lo) {
        double target = Math.min(TAIL_ANCHOR_RATIO * QuantileGrid.level(lo), 0.5);
        int b = lo + 1;
        while (b < QuantileGrid.MEDIAN && QuantileGrid.level(b) < target - 1e-12) {
            b++;
        }
        return b;
    }

    private static int anchorAbove(int hi) {
        double target = Math.min(TAIL_ANCHOR_RATIO * (1 - QuantileGrid.level(hi)), 0.5);
        int b = hi - 1;
        while (b > QuantileGrid.MEDIAN && 1 - QuantileGrid.level(b) < target - 1e-12) {
            b--;
        }
        return b;
    }

    /**
     * Laplace(0, sigma / sqrt 2) errors, i.e. standard deviation {@code sigma}: the fallback when
     * there are too few residuals. Its exponential tails are heavier than normal ones, on purpose
     * (little data).
     */
    static ErrorDistribution laplace(double sigma) {
        if (!(sigma >= 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("sigma must be finite and >= 0, got " + sigma);
        }
        double b = sigma / Math.sqrt(2);
        double[] q = new double[QuantileGrid.size()];
        for (int i = 0; i < q.length; i++) {
            double p = QuantileGrid.level(i);
            q[i] = p < 0.5 ? b * Math.log(2 * p) : -b * Math.log(2 * (1 - p));
        }
        return new ErrorDistribution(q, 0);
    }

    /** Interpolated empirical quantile, Hyndman-Fan type 7: position p (n - 1) in sorted data. */
    static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        if (i >= sorted.length - 1) {
            return sorted[sorted.length - 1];
        }
        double frac = pos - i;
        return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
    }

    /**
     * A standard deviation from the spread of the observed values: 1.4826 MAD, or, where over half
     * the values are equal (MAD 0), sqrt(pi/2) times the mean absolute deviation from the median.
     * Zero only when every observed value is the same.
     *
     * @param values (n) observed values
     */
    static double spreadSigma(double[] values) {
        int n = values.length;
        if (n == 0) {
            return 0;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double median = quantile(v, 0.5);
        double[] dev = new double[n];
        double sumAbs = 0;
        for (int i = 0; i < n; i++) {
            dev[i] = Math.abs(v[i] - median);
            sumAbs += dev[i];
        }
        Arrays.sort(dev);
        double mad = quantile(dev, 0.5);
        return mad > 0 ? NORMAL_MAD * mad : NORMAL_MEAN_AD * sumAbs / n;
    }
}
