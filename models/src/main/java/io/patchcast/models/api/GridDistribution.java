package io.patchcast.models.api;

/**
 * A predictive distribution given by its quantiles on {@link QuantileGrid}: linear between grid
 * quantiles, exponential tails beyond the outermost ones (scale fitted to the two outermost
 * quantiles on each side), so tail probabilities keep shrinking smoothly past 0.0005/0.9995
 * instead of saturating.
 *
 * <p>A view over a slice of a {@code float[]}; it does not copy.
 */
public final class GridDistribution implements PredictiveDistribution {

    /** Smallest tail scale, relative to the magnitude of the quantiles: keeps point masses finite. */
    static final double MIN_RELATIVE_SCALE = 1e-9;

    private final float[] q; // (steps * L) quantile values, grid levels ascending
    private final int offset; // start of this step's L quantiles
    private final double mean;

    public GridDistribution(float[] quantiles, int offset, double mean) {
        if (offset < 0 || offset + QuantileGrid.size() > quantiles.length) {
            throw new IllegalArgumentException(String.format(
                    "quantile slice [%d, %d) out of an array of %d", offset,
                    offset + QuantileGrid.size(), quantiles.length));
        }
        this.q = quantiles;
        this.offset = offset;
        this.mean = mean;
    }

    private double q(int i) {
        return q[offset + i];
    }

    @Override
    public double mean() {
        return mean;
    }

    @Override
    public double quantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("quantile level must be in (0, 1), got " + p);
        }
        int n = QuantileGrid.size();
        double p0 = QuantileGrid.level(0);
        double pn = QuantileGrid.level(n - 1);
        if (p < p0) {
            return q(0) - lowerScale() * Math.log(p0 / p);
        }
        if (p > pn) {
            return q(n - 1) + upperScale() * Math.log((1 - pn) / (1 - p));
        }
        int hi = 1;
        while (hi < n - 1 && QuantileGrid.level(hi) < p) {
            hi++;
        }
        double pa = QuantileGrid.level(hi - 1);
        double pb = QuantileGrid.level(hi);
        double t = (p - pa) / (pb - pa);
        return q(hi - 1) + t * (q(hi) - q(hi - 1));
    }

    @Override
    public double cdf(double x) {
        int n = QuantileGrid.size();
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("cdf of NaN");
        }
        if (x < q(0)) {
            return QuantileGrid.level(0) * Math.exp(-(q(0) - x) / lowerScale());
        }
        if (x > q(n - 1)) {
            return 1 - (1 - QuantileGrid.level(n - 1)) * Math.exp(-(x - q(n - 1)) / upperScale());
        }
        // first index with q >= x and last index with q <= x
        int lo = 0;
        while (lo < n && q(lo) < x) {
            lo++;
        }
        int hi = n - 1;
        while (hi >= 0 && q(hi) > x) {
            hi--;
        }
        if (lo <= hi) {
            // x sits on one or more grid quantiles (a flat run = a point mass): middle of the run
            return 0.5 * (QuantileGrid.level(lo) + QuantileGrid.level(hi));
        }
        // q(hi) < x < q(lo), hi = lo - 1
        double t = (x - q(hi)) / (q(lo) - q(hi));
        return QuantileGrid.level(hi) + t * (QuantileGrid.level(lo) - QuantileGrid.level(hi));
    }

    private double floor() {
        double mag = Math.max(Math.abs(q(0)), Math.abs(q(QuantileGrid.size() - 1)));
        return Math.max(MIN_RELATIVE_SCALE * mag, Double.MIN_NORMAL);
    }

    /** Exponential scale b with F(x) = p0 exp(-(q0 - x) / b), matching q0 and q1. */
    private double lowerScale() {
        double b = (q(1) - q(0)) / Math.log(QuantileGrid.level(1) / QuantileGrid.level(0));
        return Math.max(b, floor());
    }

    private double upperScale() {
        int n = QuantileGrid.size();
        double b = (q(n - 1) - q(n - 2))
                / Math.log((1 - QuantileGrid.level(n - 2)) / (1 - QuantileGrid.level(n - 1)));
        return Math.max(b, floor());
    }
}
