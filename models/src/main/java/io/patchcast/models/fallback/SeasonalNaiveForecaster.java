package io.patchcast.models.fallback;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The statistical fallback used when a model is missing, loading or timing out: seasonal naive
 * with empirical error quantiles. Plain Java, no state, deterministic, thread-safe; about O(C *
 * (season + horizon)) per series. Accepts any context length (the fallback must always answer), not
 * only multiples of {@link #patchSize()}.
 *
 * <p>Glossary: C context length, T = C - 1 the last context slot, s the season, h the forecast step
 * (1-based), d the gap in slots between a forecast step and the slot it copies.
 *
 * <ul>
 *   <li><b>Season</b>: {@link SeasonDetector#detect}, then confirmed in sample: the season is kept
 *       only if copying one season back has a lower mean squared error than the naive copy averaged
 *       over 1..s steps ahead (gaps 1..s), i.e. if it would have forecast the past season better.
 *       This rejects the slow waves of random walks that pass the ACF test.
 *   <li><b>Point</b>: {@code y[T + h - s ceil(h/s)]}; if that slot is unobserved, the same phase
 *       further seasons back; if the phase is never observed, the last observed value.
 *   <li><b>Error</b> of a forecast copied from gap d: the in-sample errors of the same rule, {@code
 *       y[u] - y[u - d]} over all u where both slots are observed (the h-step-ahead errors of
 *       seasonal naive from every origin with enough history). With at least {@link
 *       ErrorDistribution#MIN_RESIDUALS} of them: their empirical distribution ({@link
 *       ErrorDistribution#empirical}). Fewer: the one-season errors (gap s) scaled by sqrt(d / s),
 *       the growth of a random walk's error. Fewer of those too: Laplace with the larger of their
 *       RMS (scaled likewise) and the spread of the observed values ({@link
 *       ErrorDistribution#spreadSigma}); this is zero only for a constant context (or a single
 *       observation, which is constant as far as the data tell).
 *   <li><b>Quantiles</b> = point + error quantiles; <b>mean</b> = point + mean error. The error's
 *       drift makes a linear trend continue in the median and mean although the point is flat.
 * </ul>
 */
public final class SeasonalNaiveForecaster implements Forecaster {

    public static final String NAME = "seasonal-naive";
    public static final String VERSION = "1";
    public static final int PATCH_SIZE = 16;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public int patchSize() {
        return PATCH_SIZE;
    }

    @Override
    public List<QuantileForecast> forecast(List<ForecastRequest> batch, int horizon) {
        Objects.requireNonNull(batch, "batch");
        checkHorizon(horizon);
        List<QuantileForecast> out = new ArrayList<>(batch.size());
        for (ForecastRequest request : batch) {
            out.add(forecast(Objects.requireNonNull(request, "request in batch"), horizon));
        }
        return out;
    }

    /** The forecast of one series; what {@link #forecast(List, int)} does for each request. */
    public QuantileForecast forecast(ForecastRequest request, int horizon) {
        checkHorizon(horizon);
        float[] y = request.values(); // (C)
        boolean[] obs = request.observed(); // (C)
        int c = y.length;
        int last = lastObserved(request);
        int s = season(y, obs);

        int l = QuantileGrid.size();
        float[] quantiles = new float[horizon * l]; // (horizon, L)
        float[] mean = new float[horizon]; // (horizon)
        Map<Integer, ErrorDistribution> byGap = new HashMap<>();
        for (int h = 1; h <= horizon; h++) {
            int k = (h + s - 1) / s; // ceil(h / s)
            int src = c - 1 + h - s * k;
            while (src >= 0 && !obs[src]) {
                src -= s;
            }
            if (src < 0) {
                src = last;
            }
            double point = y[src];
            ErrorDistribution err = byGap.computeIfAbsent(c - 1 + h - src,
                    d -> errorDistribution(y, obs, s, d));
            for (int i = 0; i < l; i++) {
                // rounding to float is monotone, so each step stays non-decreasing
                quantiles[(h - 1) * l + i] = (float) (point + err.offsets()[i]);
            }
            mean[h - 1] = (float) (point + err.mean());
        }
        return new QuantileForecast(quantiles, mean);
    }

    /** The season used for a context: detected, then confirmed in sample (see class Javadoc). */
    static int season(float[] y, boolean[] obs) {
        int s = SeasonDetector.detect(y, obs);
        if (s == 1) {
            return 1;
        }
        double seasonal = meanSquaredDiff(y, obs, s);
        double naive = 0;
        int gaps = 0;
        for (int d = 1; d <= s; d++) {
            double m = meanSquaredDiff(y, obs, d);
            if (!Double.isNaN(m)) {
                naive += m;
                gaps++;
            }
        }
        return seasonal < naive / gaps ? s : 1; // NaN (no pairs) compares false: naive
    }

    private static ErrorDistribution errorDistribution(float[] y, boolean[] obs, int s, int d) {
        double[] errors = diffs(y, obs, d);
        if (errors.length >= ErrorDistribution.MIN_RESIDUALS) {
            Arrays.sort(errors);
            return ErrorDistribution.empirical(errors, 1);
        }
        double factor = Math.sqrt(Math.max(1.0, (double) d / s));
        double[] base = d == s ? errors : diffs(y, obs, s);
        if (base.length >= ErrorDistribution.MIN_RESIDUALS) {
            Arrays.sort(base);
            return ErrorDistribution.empirical(base, factor);
        }
        double sumSq = 0;
        for (double e : base) {
            sumSq += e * e;
        }
        double rms = base.length > 0 ? factor * Math.sqrt(sumSq / base.length) : 0;
        return ErrorDistribution.laplace(Math.max(rms, ErrorDistribution.spreadSigma(
                observedValues(y, obs))));
    }

    /** {@code y[u] - y[u - d]} for every u where both slots are observed, in time order. */
    private static double[] diffs(float[] y, boolean[] obs, int d) {
        double[] out = new double[Math.max(0, y.length - d)];
        int n = 0;
        for (int u = d; u < y.length; u++) {
            if (obs[u] && obs[u - d]) {
                out[n++] = (double) y[u] - y[u - d];
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Mean of {@code (y[u] - y[u - d])^2} over both-observed pairs; NaN without pairs. */
    private static double meanSquaredDiff(float[] y, boolean[] obs, int d) {
        double sum = 0;
        int n = 0;
        for (int u = d; u < y.length; u++) {
            if (obs[u] && obs[u - d]) {
                double e = (double) y[u] - y[u - d];
                sum += e * e;
                n++;
            }
        }
        return n > 0 ? sum / n : Double.NaN;
    }

    private static double[] observedValues(float[] y, boolean[] obs) {
        double[] out = new double[y.length];
        int n = 0;
        for (int t = 0; t < y.length; t++) {
            if (obs[t]) {
                out[n++] = y[t];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Index of the last observed slot; also checks that observed values are finite. */
    private static int lastObserved(ForecastRequest request) {
        int last = -1;
        for (int t = 0; t < request.length(); t++) {
            if (request.observed()[t]) {
                if (!Float.isFinite(request.values()[t])) {
                    throw new IllegalArgumentException(String.format(
                            "series %s: observed value at slot %d is %s, expected a finite number"
                                    + " (mark missing slots unobserved instead)",
                            request.seriesKey(), t, request.values()[t]));
                }
                last = t;
            }
        }
        if (last < 0) {
            throw new IllegalArgumentException(String.format(
                    "series %s: context of %d slots has no observed value; seasonal-naive needs"
                            + " at least one",
                    request.seriesKey(), request.length()));
        }
        return last;
    }

    private static void checkHorizon(int horizon) {
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon must be >= 1, got " + horizon);
        }
    }
}
