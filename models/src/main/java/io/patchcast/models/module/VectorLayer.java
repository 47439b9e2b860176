package io.patchcast.models.module;

import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One Moirai-MoE encoder layer (uni2ts TransformerEncoderLayer, pre-norm: RMSNorm, attention,
 * RMSNorm, sparse MoE) computed in Java SIMD on float arrays, for {@link
 * MoEFeedForward.Dispatch#SPARSE_VECTOR}: the same math as {@link GroupedQueryAttention}, {@link
 * RMSNorm} and {@link MoEFeedForward} (spec §6–7), without a JNI call per operation. Every matmul
 * goes through {@link VectorGemm}, so a token's numbers never depend on the other rows of its
 * call. Create only when {@link VectorKernels#available()}.
 *
 * <p>Glossary: N rows, L tokens, Q query tokens per row, D = d_model, H heads, E = head_dim 64, R
 * = 32 rotated dims per head.
 */
public final class VectorLayer {

    private final int dModel;
    private final int heads;
    private final int headDim;
    private final float[] norm1; // (D)
    private final float[] norm2; // (D)
    private final VectorGemm.Panels qkv; // (D, 3HE): [q_proj^T | k_proj^T | v_proj^T]
    private final VectorGemm.Panels outProj; // (HE, D)
    private final float[] qNorm; // (E)
    private final float[] kNorm; // (E)
    private final float[] biasSame; // (H) var_attn_bias.emb.weight[1]
    private final float[] biasDifferent; // (H) var_attn_bias.emb.weight[0]
    private final MoEFeedForward ffn;

    private VectorLayer(
            int dModel,
            int heads,
            int headDim,
            float[] norm1,
            float[] norm2,
            VectorGemm.Panels qkv,
            VectorGemm.Panels outProj,
            float[] qNorm,
            float[] kNorm,
            float[] biasSame,
            float[] biasDifferent,
            MoEFeedForward ffn) {
        this.dModel = dModel;
        this.heads = heads;
        this.headDim = headDim;
        this.norm1 = norm1;
        this.norm2 = norm2;
        this.qkv = qkv;
        this.outProj = outProj;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.biasSame = biasSame;
        this.biasDifferent = biasDifferent;
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
        int inner = heads * headDim;
        String a = prefix + "self_attn.";
        String why = "(num_heads * head_dim, d_model), no bias";
        float[][] proj = {
            w.transposed(a + "q_proj.weight", why, inner, dModel),
            w.transposed(a + "k_proj.weight", why, inner, dModel),
            w.transposed(a + "v_proj.weight", why, inner, dModel)
        };
        float[] fused = new float[dModel * 3 * inner]; // (D, 3HE)
        for (int r = 0; r < dModel; r++) {
            for (int p = 0; p < 3; p++) {
                System.arraycopy(proj[p], r * inner, fused, r * 3 * inner + p * inner, inner);
            }
        }
        float[] emb = w.floats(a + "var_attn_bias.emb.weight", "(2, num_heads)", 2, heads);
        float[] different = new float[heads];
        float[] same = new float[heads];
        System.arraycopy(emb, 0, different, 0, heads);
        System.arraycopy(emb, heads, same, 0, heads);
        return new VectorLayer(
                dModel,
                heads,
                headDim,
                w.floats(prefix + "norm1.weight", "RMSNorm over the last dim", dModel),
                w.floats(prefix + "norm2.weight", "RMSNorm over the last dim", dModel),
                VectorGemm.Panels.of(fused, dModel, 3 * inner),
                VectorGemm.Panels.of(
                        w.transposed(a + "out_proj.weight", "(d_model, d_model)", dModel, inner),
                        inner,
                        dModel),
                w.floats(a + "q_norm.weight", "RMSNorm over the last dim", headDim),
                w.floats(a + "k_norm.weight", "RMSNorm over the last dim", headDim),
                same,
                different,
                ffn);
    }

    /**
     * What every layer of one call shares: per-token ids (N, L) row-major and the RoPE tables
     * (N*L, R) of {@link RotaryProjection#angles}.
     */
    public record Context(
            int n, int l, long[] sampleId, long[] timeId, long[] variateId, float[] cos, float[] sin) {

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
     * all L, in order) of every row: keys and values come from all L tokens. {@code call} hosts the
     * MoE's gate distances.
     */
    public Output forward(
            float[] h, Context ctx, int[] queries, NDManager call, ComputePool pool) {
        int n = ctx.n();
        int l = ctx.l();
        int[] qs = queries != null ? queries : range(l);
        int qn = qs.length;
        int inner = heads * headDim;
        float[] x = rmsNorm(h, n * l, dModel, norm1);
        float[] proj = new float[n * l * 3 * inner]; // (N*L, 3HE)
        multiply(x, n * l, qkv, proj, pool);
        normRotate(proj, ctx, 0, qNorm); // q
        normRotate(proj, ctx, inner, kNorm); // k
        float[] merged = new float[n * qn * inner]; // (N*Q, HE)
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            for (int hd = 0; hd < heads; hd++) {
                int row = b;
                int head = hd;
                tasks.add(
                        () -> {
                            attend(proj, ctx, row, head, qs, merged);
                            return null;
                        });
            }
        }
        runSpread(tasks, pool);
        float[] a = new float[n * qn * dModel];
        multiply(merged, n * qn, outProj, a, pool);
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
        MoEFeedForward.VectorResult moe = ffn.forwardVector(f, n * qn, call, pool);
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

    private static float rms(float[] x, int at, int dim) {
        double sum = 0;
        for (int j = 0; j < dim; j++) {
            sum += (double) x[at + j] * x[at + j];
        }
        return (float) Math.sqrt((float) (sum / dim) + RMSNorm.EPS);
    }

    /**
     * In place on the q (or k) block at column {@code offset} of proj (N*L, 3HE): per head,
     * RMSNorm over E with {@code weight}, then RoPE on the first R dims by time id: pairs (2i,
     * 2i+1) become (x0 cos - x1 sin, x1 cos + x0 sin).
     */
    private void normRotate(float[] proj, Context ctx, int offset, float[] weight) {
        int width = 3 * heads * headDim;
        int r = ctx.ropeWidth();
        float[] cos = ctx.cos();
        float[] sin = ctx.sin();
        for (int t = 0; t < ctx.n() * ctx.l(); t++) {
            for (int hd = 0; hd < heads; hd++) {
                int at = t * width + offset + hd * headDim;
                float rms = rms(proj, at, headDim);
                for (int e = 0; e < headDim; e++) {
                    proj[at + e] = proj[at + e] / rms * weight[e];
                }
                for (int i = 0; i < r; i += 2) {
                    float x0 = proj[at + i];
                    float x1 = proj[at + i + 1];
                    int c = t * r + i;
                    proj[at + i] = x0 * cos[c] + -x1 * sin[c];
                    proj[at + i + 1] = x1 * cos[c + 1] + x0 * sin[c + 1];
                }
            }
        }
    }

    /**
     * Row b, head hd: softmax(q k^T / sqrt(E) + bias) v for the query tokens, into merged (N*Q,
     * HE) at the head's columns. bias: the variate embedding, -inf where the mask forbids.
     */
    private void attend(float[] proj, Context ctx, int b, int hd, int[] qs, float[] merged) {
        int l = ctx.l();
        int qn = qs.length;
        int e = headDim;
        int width = 3 * heads * e;
        int inner = heads * e;
        float[] q = new float[qn * e];
        float[] kT = new float[e * l]; // (E, L)
        float[] v = new float[l * e]; // (L, E)
        for (int i = 0; i < qn; i++) {
            System.arraycopy(proj, (b * l + qs[i]) * width + hd * e, q, i * e, e);
        }
        for (int j = 0; j < l; j++) {
            int at = (b * l + j) * width + inner + hd * e;
            for (int c = 0; c < e; c++) {
                kT[c * l + j] = proj[at + c];
            }
            System.arraycopy(proj, at + inner, v, j * e, e);
        }
        float[] logits = new float[qn * l];
        VectorGemm.multiply(q, qn, VectorGemm.Panels.of(kT, e, l), logits);
        float scale = 1.0f / (float) Math.sqrt(e);
        for (int i = 0; i < qn; i++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < l; j++) {
                int o = i * l + j;
                if (ctx.allowed(b, qs[i], j)) {
                    float bias = ctx.sameVariate(b, qs[i], j) ? biasSame[hd] : biasDifferent[hd];
                    logits[o] = logits[o] * scale + bias;
                    max = Math.max(max, logits[o]);
                } else {
                    logits[o] = Float.NEGATIVE_INFINITY;
                }
            }
            float sum = 0f;
            for (int j = 0; j < l; j++) {
                int o = i * l + j;
                logits[o] = logits[o] == Float.NEGATIVE_INFINITY ? 0f : VectorGemm.exp(logits[o] - max);
                sum += logits[o];
            }
            for (int j = 0; j < l; j++) {
                logits[i * l + j] /= sum;
            }
        }
        float[] att = new float[qn * e];
        VectorGemm.multiply(logits, qn, VectorGemm.Panels.of(v, l, e), att);
        for (int i = 0; i < qn; i++) {
            System.arraycopy(att, i * e, merged, (b * qn + i) * inner + hd * e, e);
        }
    }

    /** y = x · w, the weight's column panels spread over the pool's threads. */
    private static void multiply(float[] x, int m, VectorGemm.Panels w, float[] y, ComputePool pool) {
        int panels = w.panels();
        int parts = Math.min(pool.threads(), panels);
        if (parts <= 1) {
            VectorGemm.multiply(x, m, w, y);
            return;
        }
        List<Callable<Void>> tasks = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = p * panels / parts;
            int to = (p + 1) * panels / parts;
            tasks.add(
                    () -> {
                        VectorGemm.multiply(x, m, w, y, 0, from, to);
                        return null;
                    });
        }
        pool.invokeAll(tasks);
    }

    /** Runs the tasks as at most pool.threads() contiguous groups. */
    private static void runSpread(List<Callable<Void>> tasks, ComputePool pool) {
        int parts = Math.min(pool.threads(), tasks.size());
        if (parts <= 1) {
            ComputePool.SEQUENTIAL.invokeAll(tasks);
            return;
        }
        List<Callable<Void>> groups = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            List<Callable<Void>> g = tasks.subList(p * tasks.size() / parts, (p + 1) * tasks.size() / parts);
            groups.add(
                    () -> {
                        for (Callable<Void> c : g) {
                            c.call();
                        }
                        return null;
                    });
        }
        pool.invokeAll(groups);
    }

    private static int[] range(int l) {
        int[] r = new int[l];
        for (int i = 0; i < l; i++) {
            r[i] = i;
        }
        return r;
    }
}
