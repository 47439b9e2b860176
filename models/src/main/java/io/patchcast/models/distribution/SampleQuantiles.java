package io.patchcast.models.distribution;

import java.util.Arrays;

/** Quantiles of sample sets, with the conventions of GluonTS and numpy. */
public final class SampleQuantiles {

    private SampleQuantiles() {}

    /**
     * GluonTS {@code SampleForecast.quantile} (model/forecast.py v0.14.3): {@code
     * sorted[int(round((S - 1) q))]}, numpy rounds half to even, hence {@link Math#rint} (spec
     * §10).
     */
    public static double gluonTs(double[] sorted, double q) {
        return sorted[(int) Math.rint((sorted.length - 1) * q)];
    }

    /** {@code np.quantile(x, q)} with the default linear interpolation. */
    public static double linear(double[] sorted, double q) {
        double pos = (sorted.length - 1) * q;
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Fraction of {@code sorted} that is <= x. */
    public static double ecdf(double[] sorted, double x) {
        int i = Arrays.binarySearch(sorted, x);
        if (i < 0) {
            return (double) (-i - 1) / sorted.length;
        }
        while (i + 1 < sorted.length && sorted[i + 1] == x) {
            i++;
        }
        return (double) (i + 1) / sorted.length;
    }

    /** Two-sample Kolmogorov-Smirnov statistic of two sorted samples. */
    public static double ks(double[] a, double[] b) {
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < a.length && j < b.length) {
            double x = Math.min(a[i], b[j]);
            while (i < a.length && a[i] <= x) {
                i++;
            }
            while (j < b.length && b[j] <= x) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / a.length - (double) j / b.length));
        }
        return d;
    }
}
