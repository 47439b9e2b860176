package io.patchcast.models.moiraimoe;

/**
 * The packed module input of uni2ts {@code MoiraiMoEModule.forward} (spec §2), N rows of L tokens,
 * row-major. Owns its arrays.
 *
 * @param rows N (batch dims flattened, e.g. S*B for AR steps)
 * @param tokens L
 * @param target (N, L, 16)
 * @param observedMask (N, L, 16)
 * @param sampleId (N, L)
 * @param timeId (N, L)
 * @param variateId (N, L)
 * @param predictionMask (N, L)
 */
public record PackedBatch(
        int rows,
        int tokens,
        float[] target,
        boolean[] observedMask,
        long[] sampleId,
        long[] timeId,
        long[] variateId,
        boolean[] predictionMask) {

    public static final int PATCH = 16;

    public PackedBatch {
        int nl = rows * tokens;
        if (rows <= 0
                || tokens <= 0
                || target.length != nl * PATCH
                || observedMask.length != nl * PATCH
                || sampleId.length != nl
                || timeId.length != nl
                || variateId.length != nl
                || predictionMask.length != nl) {
            throw new IllegalArgumentException(
                    String.format(
                            "packed batch (N=%d, L=%d) needs target/observed_mask of %d and ids of"
                                + " %d, got %d/%d/%d/%d/%d/%d",
                            rows,
                            tokens,
                            nl * PATCH,
                            nl,
                            target.length,
                            observedMask.length,
                            sampleId.length,
                            timeId.length,
                            variateId.length,
                            predictionMask.length));
        }
        for (long t : timeId) {
            if (t < 0) {
                throw new IllegalArgumentException("time_id must be >= 0, got " + t);
            }
        }
    }

    /** Rows [from, to) as a new batch (copies). */
    public PackedBatch rows(int from, int to) {
        if (from < 0 || to > rows || from >= to) {
            throw new IllegalArgumentException(
                    String.format("row range [%d, %d) outside [0, %d)", from, to, rows));
        }
        int a = from * tokens;
        int b = to * tokens;
        return new PackedBatch(
                to - from,
                tokens,
                java.util.Arrays.copyOfRange(target, a * PATCH, b * PATCH),
                java.util.Arrays.copyOfRange(observedMask, a * PATCH, b * PATCH),
                java.util.Arrays.copyOfRange(sampleId, a, b),
                java.util.Arrays.copyOfRange(timeId, a, b),
                java.util.Arrays.copyOfRange(variateId, a, b),
                java.util.Arrays.copyOfRange(predictionMask, a, b));
    }

    /** Rows repeated {@code times} times, row {@code s * N + b} = row b (the (S, B) layout). */
    public PackedBatch repeat(int times) {
        int n = rows * times;
        float[] t = new float[target.length * times];
        boolean[] o = new boolean[observedMask.length * times];
        long[] s = new long[sampleId.length * times];
        long[] ti = new long[timeId.length * times];
        long[] v = new long[variateId.length * times];
        boolean[] p = new boolean[predictionMask.length * times];
        for (int r = 0; r < times; r++) {
            System.arraycopy(target, 0, t, r * target.length, target.length);
            System.arraycopy(observedMask, 0, o, r * observedMask.length, observedMask.length);
            System.arraycopy(sampleId, 0, s, r * sampleId.length, sampleId.length);
            System.arraycopy(timeId, 0, ti, r * timeId.length, timeId.length);
            System.arraycopy(variateId, 0, v, r * variateId.length, variateId.length);
            System.arraycopy(
                    predictionMask, 0, p, r * predictionMask.length, predictionMask.length);
        }
        return new PackedBatch(n, tokens, t, o, s, ti, v, p);
    }
}
