package io.patchcast.models.module;

/**
 * Port of uni2ts {@code PackedStdScaler} (src/uni2ts/module/packed_scaler.py), in float64 as the
 * reference: per (row, sample_id, variate_id) group, loc = mean of observed values, scale =
 * sqrt(unbiased variance + 1e-5), with safe division; loc 0 / scale 1 where sample_id == 0 (spec
 * §4). Plain Java: the inputs are Java arrays anyway and the sums are tiny next to attention.
 */
public final class PackedStdScaler {

    /** packed_scaler.py default {@code minimum_scale}, added inside the sqrt. */
    public static final double MINIMUM_SCALE = 1e-5;

    /** packed_scaler.py default {@code correction} (unbiased). */
    public static final int CORRECTION = 1;

    private PackedStdScaler() {}

    /**
     * @param target (N, L, P) values
     * @param observed (N, L, P) observed_mask AND NOT prediction_mask
     * @param sampleId (N, L)
     * @param variateId (N, L)
     * @param loc out (N, L), float32 cast of the float64 result
     * @param scale out (N, L)
     */
    public static void forward(float[] target, boolean[] observed, long[] sampleId,
            long[] variateId, int n, int l, int p, float[] loc, float[] scale) {
        double[] tokSum = new double[l];
        double[] tokCnt = new double[l];
        double[] grpLoc = new double[l];
        double[] grpVar = new double[l];
        for (int b = 0; b < n; b++) {
            int base = b * l;
            for (int i = 0; i < l; i++) {
                double s = 0;
                double c = 0;
                int o = (base + i) * p;
                for (int j = 0; j < p; j++) {
                    if (observed[o + j]) {
                        s += target[o + j];
                        c += 1;
                    }
                }
                tokSum[i] = s;
                tokCnt[i] = c;
            }
            for (int i = 0; i < l; i++) {
                double s = 0;
                double c = 0;
                for (int k = 0; k < l; k++) {
                    if (sameGroup(sampleId, variateId, base + i, base + k)) {
                        s += tokSum[k];
                        c += tokCnt[k];
                    }
                }
                grpLoc[i] = s / (c == 0 ? 1 : c);
                grpVar[i] = c - CORRECTION; // denominator, finished below
            }
            for (int i = 0; i < l; i++) {
                double dev = 0;
                for (int k = 0; k < l; k++) {
                    if (sameGroup(sampleId, variateId, base + i, base + k)) {
                        int o = (base + k) * p;
                        for (int j = 0; j < p; j++) {
                            if (observed[o + j]) {
                                double d = target[o + j] - grpLoc[i];
                                dev += d * d;
                            }
                        }
                    }
                }
                double den = grpVar[i];
                double var = dev / (den == 0 ? 1 : den);
                boolean pad = sampleId[base + i] == 0;
                loc[base + i] = pad ? 0f : (float) grpLoc[i];
                scale[base + i] = pad ? 1f : (float) Math.sqrt(var + MINIMUM_SCALE);
            }
        }
    }

    private static boolean sameGroup(long[] sampleId, long[] variateId, int a, int b) {
        return sampleId[a] == sampleId[b] && variateId[a] == variateId[b];
    }
}
