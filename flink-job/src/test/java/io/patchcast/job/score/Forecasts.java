package io.patchcast.job.score;

import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.inference.ForecastStatus;
import io.patchcast.models.api.QuantileGrid;

/** Hand-built forecasts for tests: every step a Normal distribution given by its grid quantiles. */
final class Forecasts {

    static final int HORIZON = 16;
    static final String MODEL = "test-model";
    static final String VERSION = "7";

    private Forecasts() {}

    /** Step h ~ Normal(mu + h * drift, sigma), quantiles at the grid levels, as floats. */
    static ForecastResult normal(String key, long patchStart, long step, double mu, double drift,
            double sigma) {
        int l = QuantileGrid.size();
        float[] q = new float[HORIZON * l];
        float[] mean = new float[HORIZON];
        for (int h = 0; h < HORIZON; h++) {
            double m = mu + h * drift;
            mean[h] = (float) m;
            for (int i = 0; i < l; i++) {
                q[h * l + i] = (float) (m + sigma * inverseNormalCdf(QuantileGrid.level(i)));
            }
        }
        return new ForecastResult(key, patchStart, step, patchStart - step, 32, MODEL, VERSION,
                ForecastStatus.OK, q, mean);
    }

    /**
     * Standard normal quantile, P. J. Acklam's rational approximation (relative error below
     * 1.2e-9), enough for test expectations to 1e-6.
     */
    static double inverseNormalCdf(double p) {
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
            3.754408661907416e+00};
        double low = 0.02425;
        if (p == 0.5) {
            return 0.0;
        }
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            return -inverseNormalCdf(1 - p);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
}
