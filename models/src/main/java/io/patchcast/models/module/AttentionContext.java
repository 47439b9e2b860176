package io.patchcast.models.module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * What every attention layer of one call shares: the packed causal mask, the variate masks and the
 * RoPE tables (uni2ts shares {@code time_qk_proj} across layers).
 *
 * @param maskBias (N, 1, L, L) 0 where allowed, -inf elsewhere (torch_util.py
 *     packed_causal_attention_mask: same sample_id and time_id[k] <= time_id[q])
 * @param sameVariate (N, 1, L, L) 1 where variate_id[q] == variate_id[k], else 0
 * @param notSameVariate (N, 1, L, L) 1 - sameVariate
 * @param cos (N, 1, L, 32) RoPE cosines by time_id
 * @param sin (N, 1, L, 32) RoPE sines by time_id
 */
public record AttentionContext(
        NDArray maskBias, NDArray sameVariate, NDArray notSameVariate, NDArray cos, NDArray sin) {

    /** Builds the context in {@code call} from per-token ids, each (N, L) row-major. */
    public static AttentionContext build(
            NDManager call,
            RotaryProjection rope,
            long[] sampleId,
            long[] timeId,
            long[] variateId,
            int n,
            int l) {
        float[] mask = new float[n * l * l];
        float[] same = new float[n * l * l];
        float[] notSame = new float[n * l * l];
        for (int b = 0; b < n; b++) {
            int base = b * l;
            for (int q = 0; q < l; q++) {
                for (int k = 0; k < l; k++) {
                    int o = (b * l + q) * l + k;
                    boolean allowed =
                            sampleId[base + q] == sampleId[base + k]
                                    && timeId[base + k] <= timeId[base + q];
                    mask[o] = allowed ? 0f : Float.NEGATIVE_INFINITY;
                    boolean sv = variateId[base + q] == variateId[base + k];
                    same[o] = sv ? 1f : 0f;
                    notSame[o] = sv ? 0f : 1f;
                }
            }
        }
        Shape s = new Shape(n, 1, l, l);
        NDArray[] cs = rope.tables(call, timeId, n, l);
        return new AttentionContext(
                call.create(mask, s), call.create(same, s), call.create(notSame, s), cs[0], cs[1]);
    }
}
