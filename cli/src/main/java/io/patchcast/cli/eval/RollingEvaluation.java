package io.patchcast.cli.eval;

import io.patchcast.job.source.MetricPointCodec;
import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rolling next-patch evaluation of one series: from the first origin on, every {@code horizon}
 * points, the model forecasts the next {@code horizon} points from at most {@code contextLength}
 * preceding points (the context is cut to a multiple of the model's patch size, as the job does).
 * Points are taken in file order; missing values (NaN, and what the job rejects as {@code NON_FINITE}:
 * infinite values and values beyond the 32-bit float range) are unobserved context slots and are
 * not scored.
 */
public final class RollingEvaluation {

    private final int contextLength;
    private final int horizon;
    private final int firstOrigin;
    private final int batchSize;

    public RollingEvaluation(int contextLength, int horizon, int firstOrigin, int batchSize) {
        if (contextLength < 1 || horizon < 1 || firstOrigin < 1 || batchSize < 1) {
            throw new IllegalArgumentException("context, horizon, first origin and batch size must be positive");
        }
        this.contextLength = contextLength;
        this.horizon = horizon;
        this.firstOrigin = firstOrigin;
        this.batchSize = batchSize;
    }

    /** The origins (index of the first forecast point) of a series of n points. */
    public int[] origins(int n, int patchSize) {
        int first = Math.max(firstOrigin, patchSize);
        List<Integer> o = new ArrayList<>();
        for (int t = first; t + horizon <= n; t += horizon) {
            o.add(t);
        }
        return o.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Scores {@code model} on {@code values}; {@code key} names the series in requests. */
    public PointScores run(Forecaster model, String key, long[] timestamps, double[] observed) {
        double[] values = missingAsNaN(observed);
        PointScores s = new PointScores();
        int p = model.patchSize();
        int[] origins = origins(values.length, p);
        for (int b = 0; b < origins.length; b += batchSize) {
            int e = Math.min(origins.length, b + batchSize);
            List<ForecastRequest> batch = new ArrayList<>(e - b);
            for (int i = b; i < e; i++) {
                batch.add(request(key, timestamps, values, origins[i], p));
            }
            List<QuantileForecast> fc = model.forecast(batch, horizon);
            for (int i = b; i < e; i++) {
                QuantileForecast f = fc.get(i - b);
                for (int h = 0; h < horizon; h++) {
                    s.add(f, h, values[origins[i] + h]);
                }
            }
        }
        return s;
    }

    private ForecastRequest request(String key, long[] ts, double[] v, int origin, int patch) {
        int c = Math.min(origin, contextLength) / patch * patch;
        float[] ctx = new float[c];
        boolean[] obs = new boolean[c];
        for (int i = 0; i < c; i++) {
            double x = v[origin - c + i];
            obs[i] = !Double.isNaN(x);
            ctx[i] = obs[i] ? (float) x : 0f;
        }
        return new ForecastRequest(key, ts[origin], ctx, obs);
    }

    /** Whether a value is usable: what the job accepts (its NON_FINITE rule). */
    private static boolean usable(double v) {
        return MetricPointCodec.inFloatRange(v);
    }

    /** A copy of {@code v} with every value that is not {@link #usable} as NaN (missing). */
    static double[] missingAsNaN(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            if (!usable(out[i])) {
                out[i] = Double.NaN;
            }
        }
        return out;
    }

    /**
     * Seasonal period for the MASE scale: points per day from the median timestamp step when the
     * series spans more than two days of points, else 1 (naive).
     */
    public static int season(long[] timestamps) {
        if (timestamps.length < 3) {
            return 1;
        }
        long[] d = new long[timestamps.length - 1];
        for (int i = 1; i < timestamps.length; i++) {
            d[i - 1] = timestamps[i] - timestamps[i - 1];
        }
        Arrays.sort(d);
        long step = d[d.length / 2];
        if (step <= 0) {
            return 1;
        }
        long perDay = 86_400_000L / step;
        return perDay >= 2 && perDay * 2 < timestamps.length ? (int) perDay : 1;
    }

    /** In-sample seasonal-naive MAE over the whole series: mean |y[t] - y[t-m]| over pairs of {@link #usable} values. */
    public static double naiveScale(double[] v, int m) {
        double s = 0;
        long n = 0;
        for (int t = m; t < v.length; t++) {
            double e = v[t] - v[t - m];
            if (usable(v[t]) && usable(v[t - m])) {
                s += Math.abs(e);
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
