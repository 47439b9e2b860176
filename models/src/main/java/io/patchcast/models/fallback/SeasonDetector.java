package io.patchcast.models.fallback;

import java.util.Arrays;

/**
 * Finds the season (period, in steps) of a context from the autocorrelation of its observed
 * values; 1 means "no season" (plain naive).
 *
 * <p>Rule, in order:
 *
 * <ol>
 *   <li>Remove the least-squares linear trend fitted to the observed slots, so a trend does not
 *       pass as a long season (a trending series has a high ACF at every lag).
 *   <li>ACF at lag k over the pairs (t, t - k) where both slots are observed: {@code r(k) =
 *       sum_pairs x_t x_{t-k} / sum_observed x_t^2} (x detrended). This is the usual biased
 *       estimator: it shrinks long lags by pairs/n, so of two equal peaks the shorter lag wins. A
 *       lag with fewer than {@link #MIN_PAIRS} pairs gets no ACF.
 *   <li>Candidates: lags 2 .. min(C / {@link #MIN_CYCLES}, {@link #MAX_LAG}) that are a local peak
 *       ({@code r(k-1) < r(k) >= r(k+1)}) with {@code r(k) > }{@link #MIN_ACF}.
 *   <li>Season = the shortest candidate whose ACF is at least {@link #NEAR_BEST} of the best
 *       candidate's (daily beats its multiples, a clearly stronger weekly peak beats daily); no
 *       candidate: 1.
 * </ol>
 *
 * <p>Why these numbers: 0.3 is the ACF where a seasonal copy starts to explain a useful share of
 * the variance, far above the noise of the estimate (about 1/sqrt(C) = 0.044 at C = 512). A
 * season must fit {@link #MIN_CYCLES} = 3 times in the context: a random walk often looks like one
 * or two slow waves, and with candidates up to C/2 about 6% of 1000 simulated random walks (C =
 * 512) got a false season, against 3% with C/3. The forecaster confirms the season out of sample
 * (see {@link SeasonalNaiveForecaster}), which removes the rest. {@link #MAX_LAG} = 288 is one day
 * of 5-minute steps and bounds the cost at O(C * 288).
 *
 * <p>Stateless and thread-safe; allocates O(C) per call.
 */
public final class SeasonDetector {

    /** Smallest ACF a season needs. */
    public static final double MIN_ACF = 0.3;

    /** Longest season considered: one day of 5-minute steps. */
    public static final int MAX_LAG = 288;

    /** A season must repeat this many times in the context. */
    public static final int MIN_CYCLES = 3;

    /** Fewest (both observed) pairs for an ACF value. */
    public static final int MIN_PAIRS = 32;

    /** The shortest peak within this share of the best peak wins. */
    public static final double NEAR_BEST = 0.9;

    private SeasonDetector() {}

    /**
     * The season of a context, 1 when none is found (too few observations, constant, or no ACF
     * peak above {@link #MIN_ACF}).
     *
     * @param values (C) context values, oldest first; unobserved slots are never read
     * @param observed (C) whether each slot holds an observation
     */
    public static int detect(float[] values, boolean[] observed) {
        int maxLag = Math.min(values.length / MIN_CYCLES, MAX_LAG);
        if (maxLag < 2) {
            return 1;
        }
        double[] r = acf(values, observed, maxLag + 1);
        double best = Double.NEGATIVE_INFINITY;
        for (int k = 2; k <= maxLag; k++) {
            if (isCandidate(r, k)) {
                best = Math.max(best, r[k]);
            }
        }
        for (int k = 2; k <= maxLag; k++) {
            if (isCandidate(r, k) && r[k] >= NEAR_BEST * best) {
                return k;
            }
        }
        return 1;
    }

    private static boolean isCandidate(double[] r, int k) {
        // NaN (too few pairs) fails every comparison
        return r[k] > MIN_ACF && r[k] > r[k - 1] && r[k] >= r[k + 1];
    }

    /**
     * ACF of the linearly detrended observed values at lags 0..maxLag; NaN where a lag has fewer
     * than {@link #MIN_PAIRS} pairs or the detrended series is zero.
     *
     * @return (maxLag + 1) with r[0] = 1 when defined
     */
    static double[] acf(float[] values, boolean[] observed, int maxLag) {
        if (values.length != observed.length) {
            throw new IllegalArgumentException(String.format(
                    "values (%d) and observed (%d) must have the same length", values.length,
                    observed.length));
        }
        int c = values.length;
        double[] r = new double[maxLag + 1];
        Arrays.fill(r, Double.NaN);
        double[] x = detrended(values, observed); // (C), 0 where unobserved
        if (x == null) {
            return r;
        }
        double denom = 0;
        for (int t = 0; t < c; t++) {
            denom += x[t] * x[t];
        }
        if (!(denom > 0)) {
            return r;
        }
        boolean complete = true;
        for (boolean o : observed) {
            complete &= o;
        }
        for (int k = 0; k <= maxLag && k < c; k++) {
            int pairs = complete ? c - k : pairs(observed, k);
            if (pairs < MIN_PAIRS) {
                continue;
            }
            // x is 0 at unobserved slots, so the branch-free sum is the sum over observed pairs
            double s = 0;
            for (int t = k; t < c; t++) {
                s += x[t] * x[t - k];
            }
            r[k] = s / denom;
        }
        return r;
    }

    private static int pairs(boolean[] observed, int k) {
        int n = 0;
        for (int t = k; t < observed.length; t++) {
            if (observed[t] && observed[t - k]) {
                n++;
            }
        }
        return n;
    }

    /** Observed values minus their least-squares line, 0 where unobserved; null if constant. */
    private static double[] detrended(float[] values, boolean[] observed) {
        int c = values.length;
        double n = 0;
        double st = 0;
        double sy = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < c; t++) {
            if (observed[t]) {
                n++;
                st += t;
                sy += values[t];
                min = Math.min(min, values[t]);
                max = Math.max(max, values[t]);
            }
        }
        if (n < 2 || min == max) {
            return null; // a constant has no season (and its rounding residue must not fake one)
        }
        double tMean = st / n;
        double yMean = sy / n;
        double stt = 0;
        double sty = 0;
        for (int t = 0; t < c; t++) {
            if (observed[t]) {
                stt += (t - tMean) * (t - tMean);
                sty += (t - tMean) * (values[t] - yMean);
            }
        }
        double slope = stt > 0 ? sty / stt : 0;
        double[] x = new double[c];
        for (int t = 0; t < c; t++) {
            if (observed[t]) {
                x[t] = values[t] - yMean - slope * (t - tMean);
            }
        }
        return x;
    }
}
