package io.patchcast.models.moiraimoe;

import io.patchcast.models.distribution.Mixture;

import java.util.List;

/**
 * Port of uni2ts {@code MoiraiMoEForecast} (src/uni2ts/model/moirai_moe/forecast.py): GluonTS
 * preprocessing (spec §5.1), packing ({@code _convert}, §5.2) and the autoregressive sampling loop
 * over patches ({@code forward}, §9), for target-only inputs.
 *
 * <p>Glossary: B series, C context steps, H horizon, D variates, cs = ceil(C/16) context tokens and
 * ps = ceil(H/16) future tokens per variate, L = D (cs + ps), S sample paths.
 */
public final class MoiraiMoEForecast {

    static final int P = PackedBatch.PATCH;

    private final MoiraiMoEModule module;
    private final int contextLength; // C
    private final int predictionLength; // H
    private final int targetDim; // D
    private final int numSamples; // S

    public MoiraiMoEForecast(
            MoiraiMoEModule module,
            int contextLength,
            int predictionLength,
            int targetDim,
            int numSamples) {
        if (contextLength < 1 || predictionLength < 1 || targetDim < 1 || numSamples < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "context (%d), prediction length (%d), target dim (%d) and samples (%d)"
                                + " must be positive",
                            contextLength, predictionLength, targetDim, numSamples));
        }
        this.module = module;
        this.contextLength = contextLength;
        this.predictionLength = predictionLength;
        this.targetDim = targetDim;
        this.numSamples = numSamples;
    }

    public int contextTokens() {
        return ceilDiv(contextLength, P);
    }

    public int predictionTokens() {
        return ceilDiv(predictionLength, P);
    }

    /** Last context token of each variate: {@code (d+1) cs - 1}. */
    public int[] predIndex() {
        int[] r = new int[targetDim];
        for (int d = 0; d < targetDim; d++) {
            r[d] = (d + 1) * contextTokens() - 1;
        }
        return r;
    }

    /** First future token of each variate: {@code D cs + d ps}. */
    public int[] assignIndex() {
        int[] r = new int[targetDim];
        for (int d = 0; d < targetDim; d++) {
            r[d] = targetDim * contextTokens() + d * predictionTokens();
        }
        return r;
    }

    /**
     * GluonTS-equivalent model input (spec §5.1), time-major.
     *
     * @param pastTarget (B, C, D) NaNs imputed, zero left-padded
     * @param pastObserved (B, C, D)
     * @param pastIsPad (B, C)
     */
    public record PastInputs(
            int batch, float[] pastTarget, boolean[] pastObserved, boolean[] pastIsPad) {}

    /**
     * Imputes each whole series (univariate: causal mean; multivariate: 0.0), then keeps the last C
     * steps, left-padding with zeros (observed false, is_pad true) when shorter.
     *
     * @param series per series, (T, D) time-major; NaN = missing
     */
    public PastInputs preprocess(List<float[][]> series) {
        int b = series.size();
        int c = contextLength;
        int dd = targetDim;
        float[] pt = new float[b * c * dd];
        boolean[] po = new boolean[b * c * dd];
        boolean[] pp = new boolean[b * c];
        for (int i = 0; i < b; i++) {
            float[][] s = series.get(i);
            int len = s.length;
            float[][] cols = new float[dd][len];
            for (int d = 0; d < dd; d++) {
                for (int t = 0; t < len; t++) {
                    if (s[t].length != dd) {
                        throw new IllegalArgumentException(
                                String.format(
                                        "series %d step %d has %d variates, expected %d",
                                        i, t, s[t].length, dd));
                    }
                    cols[d][t] = s[t][d];
                }
                if (dd == 1) {
                    cols[d] = CausalMeanValueImputation.impute(cols[d]);
                }
            }
            int pad = Math.max(c - len, 0);
            for (int t = 0; t < c; t++) {
                int src = t - pad + Math.max(len - c, 0);
                pp[i * c + t] = t < pad;
                for (int d = 0; d < dd; d++) {
                    int o = (i * c + t) * dd + d;
                    if (t < pad) {
                        continue;
                    }
                    boolean obs = !Float.isNaN(s[src][d]);
                    po[o] = obs;
                    // multivariate: DummyValueImputation(0.0)
                    pt[o] = dd == 1 ? cols[d][src] : (obs ? s[src][d] : 0f);
                }
            }
        }
        return new PastInputs(b, pt, po, pp);
    }

    /** {@code _convert}: packs past inputs into module input (future tokens zero, spec §5.2). */
    public PackedBatch convert(PastInputs in) {
        int b = in.batch();
        int c = contextLength;
        int dd = targetDim;
        int cs = contextTokens();
        int ps = predictionTokens();
        int lp = cs * P - c;
        int l = dd * (cs + ps);
        float[] target = new float[b * l * P];
        boolean[] obs = new boolean[b * l * P];
        long[] sid = new long[b * l];
        long[] tid = new long[b * l];
        long[] vid = new long[b * l];
        boolean[] pm = new boolean[b * l];
        for (int i = 0; i < b; i++) {
            // per context patch: any observed value over positions and variates; any non-pad
            long[] timeCtx = new long[cs];
            long cummax = 0;
            long cumsum = 0;
            long maxTime = 0;
            boolean[] real = new boolean[cs];
            for (int k = 0; k < cs; k++) {
                boolean any = false;
                boolean nonPad = false;
                for (int j = 0; j < P; j++) {
                    int t = k * P + j - lp; // index in the unpadded context
                    if (t < 0) {
                        continue; // _patched_seq_pad: is_pad 1, observed false
                    }
                    nonPad |= !in.pastIsPad()[i * c + t];
                    for (int d = 0; d < dd; d++) {
                        any |= in.pastObserved()[(i * c + t) * dd + d];
                    }
                }
                cummax = Math.max(cummax, any ? 1 : 0);
                cumsum += cummax;
                timeCtx[k] = Math.max(0, cumsum - 1); // _generate_time_id
                maxTime = Math.max(maxTime, timeCtx[k]);
                real[k] = nonPad;
            }
            for (int d = 0; d < dd; d++) {
                for (int k = 0; k < cs; k++) {
                    int tok = i * l + d * cs + k;
                    for (int j = 0; j < P; j++) {
                        int t = k * P + j - lp;
                        if (t >= 0) {
                            target[tok * P + j] = in.pastTarget()[(i * c + t) * dd + d];
                            obs[tok * P + j] = in.pastObserved()[(i * c + t) * dd + d];
                        }
                    }
                    sid[tok] = real[k] ? 1 : 0;
                    tid[tok] = timeCtx[k];
                    vid[tok] = d;
                }
                for (int k = 0; k < ps; k++) {
                    int tok = i * l + dd * cs + d * ps + k;
                    for (int j = 0; j < P; j++) {
                        obs[tok * P + j] = k * P + j < predictionLength; // right padding false
                    }
                    sid[tok] = 1;
                    tid[tok] = maxTime + 1 + k;
                    vid[tok] = d;
                    pm[tok] = true;
                }
            }
        }
        return new PackedBatch(b, l, target, obs, sid, tid, vid, pm);
    }

    /** Where the AR loop gets one patch of draws for one (path, series, variate). */
    @FunctionalInterface
    public interface PatchSampler {
        /**
         * @param step AR step (0 = from the first module call)
         * @param mixture output of the module call of this step
         * @param token flat token index (row * L + token) of the predicting token
         * @param path sample path s
         * @param series batch row b
         * @param variate d
         * @param out 16 draws, original units
         */
        void sample(
                int step,
                Mixture mixture,
                int token,
                int path,
                int series,
                int variate,
                float[] out);
    }

    /** Sees each module call's input and recorder, e.g. to compare with fixtures. */
    public interface CallObserver {
        CallObserver NONE = new CallObserver() {};

        default TensorRecorder recorder(int call) {
            return TensorRecorder.NONE;
        }

        default void input(int call, PackedBatch in) {}

        default void output(int call, Mixture mixture) {}

        /**
         * Whether {@link #output} needs the mixture of every token (the verifier compares them);
         * otherwise each call computes only the tokens sampled from, and the mixture of call k
         * holds token {@code row * D + d} (row = b at call 0, s * B + b later).
         */
        default boolean allTokens() {
            return true;
        }
    }

    /**
     * {@code MoiraiMoEForecast.forward} on packed B rows: sample paths (B, S, H, D) row-major.
     * One-shot when ps == 1, else ps module calls where call k >= 1 runs on S*B rows (row s*B + b),
     * each recomputed in full with the sampled patches entering the scaler (spec §9).
     */
    public float[] forward(PackedBatch packed, PatchSampler sampler, CallObserver obs) {
        int b = packed.rows();
        int l = packed.tokens();
        int s = numSamples;
        int dd = targetDim;
        int ps = predictionTokens();
        int[] pred = predIndex();
        int[] assign = assignIndex();
        float[] draw = new float[P];
        boolean all = obs.allTokens();
        obs.input(0, packed);
        Mixture m = all ? module.forward(packed, obs.recorder(0)) : module.forwardAt(packed, pred);
        obs.output(0, m);
        float[] out = new float[b * s * predictionLength * dd];
        if (ps == 1) {
            for (int si = 0; si < s; si++) {
                for (int bi = 0; bi < b; bi++) {
                    for (int d = 0; d < dd; d++) {
                        sampler.sample(0, m, all ? bi * l + pred[d] : bi * dd + d, si, bi, d, draw);
                        put(out, draw, bi, si, 0, d, s, dd);
                    }
                }
            }
            return out;
        }
        PackedBatch x = packed.repeat(s); // (S, B) rows
        for (int step = 0; step < ps; step++) {
            if (step > 0) {
                obs.input(step, x);
                if (all) {
                    m = module.forward(x, obs.recorder(step));
                } else {
                    int[] from = new int[dd]; // the previously assigned token of each variate
                    for (int d = 0; d < dd; d++) {
                        from[d] = assign[d] + step - 1;
                    }
                    m = module.forwardAt(x, from);
                }
                obs.output(step, m);
            }
            for (int si = 0; si < s; si++) {
                for (int bi = 0; bi < b; bi++) {
                    int row = si * b + bi;
                    for (int d = 0; d < dd; d++) {
                        // step 0 predicts from the last context token of row b; later steps from
                        // the previously assigned token of the path's own row
                        int from;
                        if (!all) {
                            from = (step == 0 ? bi : row) * dd + d;
                        } else {
                            from = step == 0 ? bi * l + pred[d] : row * l + assign[d] + step - 1;
                        }
                        sampler.sample(step, m, from, si, bi, d, draw);
                        int tok = row * l + assign[d] + step;
                        System.arraycopy(draw, 0, x.target(), tok * P, P);
                        x.predictionMask()[tok] = false;
                        put(out, draw, bi, si, step, d, s, dd);
                    }
                }
            }
        }
        return out;
    }

    private void put(float[] out, float[] draw, int bi, int si, int step, int d, int s, int dd) {
        for (int j = 0; j < P; j++) {
            int h = step * P + j;
            if (h < predictionLength) {
                out[((bi * s + si) * predictionLength + h) * dd + d] = draw[j];
            }
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
