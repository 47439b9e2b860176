package io.patchcast.models.moiraimoe;

/**
 * Port of GluonTS {@code CausalMeanValueImputation} (gluonts transform/feature.py, v0.14.3), the
 * univariate imputation of MoiraiMoEForecast's default transform (spec §5.1): a missing value at t
 * >= 1 becomes the mean of the forward-filled series before t (float64, stored float32); position 0
 * takes the first observed value; all-NaN or length-1 series become 0.
 */
public final class CausalMeanValueImputation {

    private CausalMeanValueImputation() {}

    /** A copy of {@code v} with NaNs imputed; {@code v} is not modified. */
    public static float[] impute(float[] v) {
        float[] out = v.clone();
        int firstObs = -1;
        boolean anyNan = false;
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(v[i])) {
                anyNan = true;
            } else if (firstObs < 0) {
                firstObs = i;
            }
        }
        if (!anyNan) {
            return out;
        }
        if (v.length == 1 || firstObs < 0) {
            for (int i = 0; i < out.length; i++) {
                if (Float.isNaN(out[i])) {
                    out[i] = 0f;
                }
            }
            return out;
        }
        float last = v[firstObs]; // leading NaNs take the first observed value
        double run = 0;
        for (int i = 0; i < v.length; i++) {
            boolean missing = Float.isNaN(v[i]);
            if (!missing) {
                last = v[i];
            }
            if (missing && i > 0) {
                out[i] = (float) (run / i);
            }
            run += last; // running sum of the forward-filled values
        }
        out[0] = Float.isNaN(v[0]) ? v[firstObs] : v[0];
        return out;
    }
}
