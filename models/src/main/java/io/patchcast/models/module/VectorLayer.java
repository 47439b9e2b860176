package io.patchcast.models.module;

import java.io.IOException;

/**
 * One Moirai-MoE encoder layer (uni2ts TransformerEncoderLayer, pre-norm: RMSNorm, attention,
 * RMSNorm, sparse MoE) computed in Java SIMD on float arrays, for {@link
 * MoEFeedForward.Dispatch#SPARSE_VECTOR}: the same math as {@link GroupedQueryAttention}, {@link
 * RMSNorm} and {@link MoEFeedForward} (spec §6–7), without a JNI call per operation. Every matmul
 * goes through {@link VectorGemm}, so a token's numbers never depend on the other rows of its
 * call. Create only when {@link VectorKernels#available()}.
 *
 * <p>Glossary: N rows, L tokens, Q query tokens per row, D = d_model.
 */
public final class VectorLayer {

    private final int dModel;
    private final float[] norm1; // (D)
    private final float[] norm2; // (D)
    private final VectorAttention attention;
    private final MoEFeedForward ffn;

    private VectorLayer(
            int dModel,
            float[] norm1,
            float[] norm2,
            VectorAttention attention,
            MoEFeedForward ffn) {
        this.dModel = dModel;
        this.norm1 = norm1;
        this.norm2 = norm2;
        this.attention = attention;
        this.ffn = ffn;
    }

    /**
     * Loads {@code prefix + "norm1.weight"}, {@code prefix + "self_attn.q_proj.weight"} etc.; the
     * MoE layer {@code ffn} must have been loaded with SPARSE_VECTOR.
     */
    public static VectorLayer load(
            WeightLoader w, String prefix, int dModel, int heads, int headDim, MoEFeedForward ffn)
            throws IOException {
        if (ffn.dispatch() != MoEFeedForward.Dispatch.SPARSE_VECTOR) {
            throw new IllegalArgumentException("the MoE layer must use SPARSE_VECTOR");
        }
        return new VectorLayer(
                dModel,
                w.floats(prefix + "norm1.weight", "RMSNorm over the last dim", dModel),
                w.floats(prefix + "norm2.weight", "RMSNorm over the last dim", dModel),
                VectorAttention.load(w, prefix + "self_attn.", dModel, heads, headDim),
                ffn);
    }

    /**
     * What every layer of one call shares: per-token ids (N, L) row-major and the RoPE tables
     * (N*L, R) of {@link RotaryProjection#angles}.
     */
    public record Context(
            int n,
            int l,
            long[] sampleId,
            long[] timeId,
            long[] variateId,
            float[] cos,
            float[] sin) {

        int ropeWidth() {
            return cos.length / (n * l);
        }

        /** torch_util.py packed_causal_attention_mask: same sample and time_id[k] <= time_id[q]. */
        boolean allowed(int b, int q, int k) {
            int base = b * l;
            return sampleId[base + q] == sampleId[base + k] && timeId[base + k] <= timeId[base + q];
        }

        boolean sameVariate(int b, int q, int k) {
            return variateId[b * l + q] == variateId[b * l + k];
        }
    }

    /**
     * The layer's output and, for recording, its MoE input and routing.
     *
     * @param out (N*Q, D) hidden states after the layer
     * @param ffnIn (N*Q, D) the MoE's input (norm2 of the attention residual)
     */
    public record Output(float[] out, float[] ffnIn, MoEFeedForward.Routing routing) {}

    /**
     * h (N*L, D) -> the layer's output at the query tokens {@code queries} (indices into L; null =
     * all L, in order) of every row: keys and values come from all L tokens.
     */
    public Output forward(float[] h, Context ctx, int[] queries, ComputePool pool) {
        int n = ctx.n();
        int l = ctx.l();
        int[] qs = queries != null ? queries : range(l);
        int qn = qs.length;
        float[] a = attention.forward(rmsNorm(h, n * l, dModel, norm1), ctx, qs, pool);
        float[] h1 = new float[n * qn * dModel]; // residual at the queries
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < qn; i++) {
                int src = (b * l + qs[i]) * dModel;
                int dst = (b * qn + i) * dModel;
                for (int j = 0; j < dModel; j++) {
                    h1[dst + j] = h[src + j] + a[dst + j];
                }
            }
        }
        float[] f = rmsNorm(h1, n * qn, dModel, norm2);
        MoEFeedForward.VectorResult moe = ffn.forwardVector(f, n * qn, pool);
        float[] out = moe.out();
        for (int i = 0; i < out.length; i++) {
            out[i] = h1[i] + out[i];
        }
        return new Output(out, f, moe.routing());
    }

    /**
     * RMSNorm over the last dim of x (rows, dim): {@code x / sqrt(mean(x^2) + eps) * weight},
     * the mean summed in double.
     */
    public static float[] rmsNorm(float[] x, int rows, int dim, float[] weight) {
        float[] y = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            float rms = rms(x, r * dim, dim);
            for (int j = 0; j < dim; j++) {
                y[r * dim + j] = x[r * dim + j] / rms * weight[j];
            }
        }
        return y;
    }

    static float rms(float[] x, int at, int dim) {
        double sum = 0;
        for (int j = 0; j < dim; j++) {
            sum += (double) x[at + j] * x[at + j];
        }
        return (float) Math.sqrt((float) (sum / dim) + RMSNorm.EPS);
    }

    private static int[] range(int l) {
        int[] r = new int[l];
        for (int i = 0; i < l; i++) {
            r[i] = i;
        }
        return r;
    }
}
