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
    public static void forward(
            float[] target,
            boolean[] observed,
            long[] sampleId,
            long[] variateId,
            int n,
            int l,
            int p,
            float[] loc,
            float[] scale) {
        double[] tokSum = new double[l];
        double[] tokCnt = new double[l];
        int[] group = new int[l]; // group index of each token within its row
        int[] first = new int[l]; // first token of each group
        double[] grpSum = new double[l];
        double[] grpCnt = new double[l];
        double[] grpLoc = new double[l];
        double[] grpDev = new double[l];
        for (int b = 0; b < n; b++) {
            int base = b * l;
            int groups = 0;
            for (int i = 0; i < l; i++) {
                // (sample_id, variate_id) groups; rows hold few variates, so a scan is cheap
                int g = 0;
                while (g < groups && !sameGroup(sampleId, variateId, base + first[g], base + i)) {
                    g++;
                }
                group[i] = g;
                if (g == groups) {
                    first[g] = i;
                    groups++;
                }
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
            java.util.Arrays.fill(grpSum, 0, groups, 0);
            java.util.Arrays.fill(grpCnt, 0, groups, 0);
            java.util.Arrays.fill(grpDev, 0, groups, 0);
            for (int i = 0; i < l; i++) {
                grpSum[group[i]] += tokSum[i];
                grpCnt[group[i]] += tokCnt[i];
            }
            for (int g = 0; g < groups; g++) {
                grpLoc[g] = grpSum[g] / (grpCnt[g] == 0 ? 1 : grpCnt[g]);
            }
            for (int i = 0; i < l; i++) {
                double m = grpLoc[group[i]];
                int o = (base + i) * p;
                double dev = 0;
                for (int j = 0; j < p; j++) {
                    if (observed[o + j]) {
                        double d = target[o + j] - m;
                        dev += d * d;
                    }
                }
                grpDev[group[i]] += dev;
            }
            for (int i = 0; i < l; i++) {
                int g = group[i];
                double den = grpCnt[g] - CORRECTION;
                double var = grpDev[g] / (den == 0 ? 1 : den);
                boolean pad = sampleId[base + i] == 0;
                loc[base + i] = pad ? 0f : (float) grpLoc[g];
                scale[base + i] = pad ? 1f : (float) Math.sqrt(var + MINIMUM_SCALE);
            }
        }
    }

    private static boolean sameGroup(long[] sampleId, long[] variateId, int a, int b) {
        return sampleId[a] == sampleId[b] && variateId[a] == variateId[b];
    }
}
