package io.patchcast.models.calf;

import io.patchcast.models.api.QuantileGrid;

import java.util.Arrays;

/**
 * Split-conformal intervals for a point forecaster: per channel and horizon step, the empirical
 * quantiles of the calibration residuals {@code y - yhat} on {@link QuantileGrid}'s levels, added
 * to the point forecast. Level q takes the order statistic {@code ceil((n + 1) q)} (clamped to [1,
 * n]), the finite-sample split-conformal rule for an upper bound.
 *
 * @param offsets (M, H, Q) row-major, non-decreasing over Q
 */
public record ConformalResiduals(int channels, int horizon, float[] offsets) {

    public ConformalResiduals {
        if (channels < 1 || horizon < 1 || offsets.length != channels * horizon * QuantileGrid.size()) {
            throw new IllegalArgumentException(
                    String.format(
                            "offsets must hold channels %d x horizon %d x %d levels, got %d",
                            channels, horizon, QuantileGrid.size(), offsets.length));
        }
    }

    /** Zero-width intervals: the point forecast at every level (no calibration data). */
    public static ConformalResiduals none(int channels, int horizon) {
        return new ConformalResiduals(channels, horizon, new float[channels * horizon * QuantileGrid.size()]);
    }

    /** residuals (N, H, M) row-major, N calibration windows. */
    public static ConformalResiduals fromResiduals(float[] residuals, int windows, int horizon, int channels) {
        if (windows < 1 || residuals.length != windows * horizon * channels) {
            throw new IllegalArgumentException(
                    String.format(
                            "residuals must hold windows %d x horizon %d x channels %d, got %d",
                            windows, horizon, channels, residuals.length));
        }
        int q = QuantileGrid.size();
        float[] out = new float[channels * horizon * q];
        float[] col = new float[windows];
        for (int m = 0; m < channels; m++) {
            for (int h = 0; h < horizon; h++) {
                for (int n = 0; n < windows; n++) {
                    col[n] = residuals[(n * horizon + h) * channels + m];
                }
                Arrays.sort(col);
                for (int l = 0; l < q; l++) {
                    int k = (int) Math.ceil((windows + 1) * QuantileGrid.level(l));
                    k = Math.min(Math.max(k, 1), windows);
                    out[(m * horizon + h) * q + l] = col[k - 1];
                }
            }
        }
        return new ConformalResiduals(channels, horizon, out);
    }

    /**
     * Offsets of one channel from its rolling residuals: {@code residuals[h]} holds the residuals of
     * step h ({@code counts[h]} of them, any order; sorted in place). A level whose split-conformal
     * order statistic lies inside the sample takes it: {@code ceil((n + 1) q)} for q >= 0.5, {@code
     * floor((n + 1) q)} for q < 0.5 (the lower bound's mirror rule). A level beyond the sample (too
     * few residuals for it) takes the sample's extreme or {@code fallback}'s offset for channel
     * {@code fallbackChannel}, whichever is wider; so does every level of a step with fewer than
     * {@code minResiduals}.
     *
     * @return (H, Q) offsets, row-major
     */
    public static float[] rolling(float[][] residuals, int[] counts, int minResiduals, ConformalResiduals fallback,
            int fallbackChannel) {
        int q = QuantileGrid.size();
        int horizon = residuals.length;
        float[] out = new float[horizon * q];
        for (int h = 0; h < horizon; h++) {
            int n = counts[h];
            float[] r = residuals[h];
            Arrays.sort(r, 0, n);
            for (int l = 0; l < q; l++) {
                double level = QuantileGrid.level(l);
                float stored = fallback.offset(fallbackChannel, Math.min(h, fallback.horizon() - 1), l);
                if (n < minResiduals) {
                    out[h * q + l] = stored;
                    continue;
                }
                if (level >= 0.5) {
                    int k = (int) Math.ceil((n + 1) * level);
                    out[h * q + l] = k <= n ? r[k - 1] : Math.max(r[n - 1], stored);
                } else {
                    int k = (int) Math.floor((n + 1) * level);
                    out[h * q + l] = k >= 1 ? r[k - 1] : Math.min(r[0], stored);
                }
            }
            for (int l = 1; l < q; l++) { // the fallback may cross the sample's quantiles
                out[h * q + l] = Math.max(out[h * q + l], out[h * q + l - 1]);
            }
        }
        return out;
    }

    /** The offset of channel m, step h, level index l. */
    public float offset(int m, int h, int l) {
        return offsets[(m * horizon + h) * QuantileGrid.size() + l];
    }
}
