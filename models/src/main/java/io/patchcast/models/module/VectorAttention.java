package io.patchcast.models.module;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Moirai-MoE self-attention in Java SIMD on float arrays: the math of {@link
 * GroupedQueryAttention} (QK-norm, RoPE on the first R dims of each head by time id, the binary
 * variate bias, the packed causal mask; spec §6) with every product through {@link VectorGemm}.
 * Part of {@link VectorLayer}.
 *
 * <p>Glossary: N rows, L tokens, Q query tokens per row, D = d_model, H heads, E = head_dim 64, R
 * = 32 rotated dims per head.
 */
final class VectorAttention {

    private final int heads;
    private final int headDim;
    private final VectorGemm.Panels qkv; // (D, 3HE): [q_proj^T | k_proj^T | v_proj^T]
    private final VectorGemm.Panels outProj; // (HE, D)
    private final float[] qNorm; // (E)
    private final float[] kNorm; // (E)
    private final float[] biasSame; // (H) var_attn_bias.emb.weight[1]
    private final float[] biasDifferent; // (H) var_attn_bias.emb.weight[0]

    private VectorAttention(
            int heads,
            int headDim,
            VectorGemm.Panels qkv,
            VectorGemm.Panels outProj,
            float[] qNorm,
            float[] kNorm,
            float[] biasSame,
            float[] biasDifferent) {
        this.heads = heads;
        this.headDim = headDim;
        this.qkv = qkv;
        this.outProj = outProj;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.biasSame = biasSame;
        this.biasDifferent = biasDifferent;
    }

    /** Loads {@code prefix + "q_proj.weight"} etc. (prefix ends in {@code self_attn.}). */
    static VectorAttention load(WeightLoader w, String prefix, int dModel, int heads, int headDim)
            throws IOException {
        int inner = heads * headDim;
        String why = "(num_heads * head_dim, d_model), no bias";
        float[][] proj = {
            w.transposed(prefix + "q_proj.weight", why, inner, dModel),
            w.transposed(prefix + "k_proj.weight", why, inner, dModel),
            w.transposed(prefix + "v_proj.weight", why, inner, dModel)
        };
        float[] fused = new float[dModel * 3 * inner]; // (D, 3HE)
        for (int r = 0; r < dModel; r++) {
            for (int p = 0; p < 3; p++) {
                System.arraycopy(proj[p], r * inner, fused, r * 3 * inner + p * inner, inner);
            }
        }
        float[] emb = w.floats(prefix + "var_attn_bias.emb.weight", "(2, num_heads)", 2, heads);
        float[] different = new float[heads];
        float[] same = new float[heads];
        System.arraycopy(emb, 0, different, 0, heads);
        System.arraycopy(emb, heads, same, 0, heads);
        return new VectorAttention(
                heads,
                headDim,
                VectorGemm.Panels.of(fused, dModel, 3 * inner),
                VectorGemm.Panels.of(
                        w.transposed(
                                prefix + "out_proj.weight", "(d_model, d_model)", dModel, inner),
                        inner,
                        dModel),
                w.floats(prefix + "q_norm.weight", "RMSNorm over the last dim", headDim),
                w.floats(prefix + "k_norm.weight", "RMSNorm over the last dim", headDim),
                same,
                different);
    }

    /**
     * x (N*L, D), already norm1-ed -> attention output (N*Q, D) at the query tokens {@code qs}
     * (indices into L) of every row; keys and values come from all L tokens.
     */
    float[] forward(float[] x, VectorLayer.Context ctx, int[] qs, ComputePool pool) {
        int n = ctx.n();
        int l = ctx.l();
        int qn = qs.length;
        int inner = heads * headDim;
        float[] proj = new float[n * l * 3 * inner]; // (N*L, 3HE)
        VectorGemm.multiply(x, n * l, qkv, proj, pool);
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
        pool.invokeInGroups(tasks);
        float[] out = new float[n * qn * outProj.n()];
        VectorGemm.multiply(merged, n * qn, outProj, out, pool);
        return out;
    }

    /**
     * In place on the q (or k) block at column {@code offset} of proj (N*L, 3HE): per head,
     * RMSNorm over E with {@code weight}, then RoPE on the first R dims by time id: pairs (2i,
     * 2i+1) become (x0 cos - x1 sin, x1 cos + x0 sin).
     */
    private void normRotate(float[] proj, VectorLayer.Context ctx, int offset, float[] weight) {
        int width = 3 * heads * headDim;
        int r = ctx.ropeWidth();
        float[] cos = ctx.cos();
        float[] sin = ctx.sin();
        for (int t = 0; t < ctx.n() * ctx.l(); t++) {
            for (int hd = 0; hd < heads; hd++) {
                int at = t * width + offset + hd * headDim;
                float rms = VectorLayer.rms(proj, at, headDim);
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
    private void attend(
            float[] proj, VectorLayer.Context ctx, int b, int hd, int[] qs, float[] merged) {
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
                boolean masked = logits[o] == Float.NEGATIVE_INFINITY;
                logits[o] = masked ? 0f : VectorGemm.exp(logits[o] - max);
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
}
