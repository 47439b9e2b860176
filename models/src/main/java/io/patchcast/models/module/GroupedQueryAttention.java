package io.patchcast.models.module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;

/**
 * Port of uni2ts {@code GroupedQueryAttention} (src/uni2ts/module/attention.py) as Moirai-MoE
 * configures it: groups = heads (plain multi-head attention), no biases, QK-norm (one RMSNorm
 * weight over head_dim shared by all heads, applied before RoPE), RoPE on the first half of each
 * head by time_id, binary variate bias added after the 1/sqrt(64) scaling (spec §6).
 *
 * <p>Glossary: N rows, L tokens, D = d_model, H heads, E = head_dim 64.
 */
public final class GroupedQueryAttention {

    private final int numHeads;
    private final int headDim;
    private final NDArray qProjT; // (D, H*E)
    private final NDArray kProjT; // (D, H*E)
    private final NDArray vProjT; // (D, H*E)
    private final RMSNorm qNorm; // (E)
    private final RMSNorm kNorm; // (E)
    private final NDArray outProjT; // (H*E, D)
    private final BinaryAttentionBias varAttnBias;
    private final RotaryProjection timeQkProj;

    private GroupedQueryAttention(
            int numHeads,
            int headDim,
            NDArray qProjT,
            NDArray kProjT,
            NDArray vProjT,
            RMSNorm qNorm,
            RMSNorm kNorm,
            NDArray outProjT,
            BinaryAttentionBias varAttnBias,
            RotaryProjection timeQkProj) {
        this.numHeads = numHeads;
        this.headDim = headDim;
        this.qProjT = qProjT;
        this.kProjT = kProjT;
        this.vProjT = vProjT;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.outProjT = outProjT;
        this.varAttnBias = varAttnBias;
        this.timeQkProj = timeQkProj;
    }

    /**
     * From arrays as given (e.g. trainable parameters): projections transposed to (D, H*E) and
     * (H*E, D), QK-norm weights (E), variate embedding (2, H).
     */
    public static GroupedQueryAttention of(
            int numHeads,
            int headDim,
            NDArray qProjT,
            NDArray kProjT,
            NDArray vProjT,
            NDArray qNorm,
            NDArray kNorm,
            NDArray outProjT,
            NDArray varEmb,
            RotaryProjection rope) {
        return new GroupedQueryAttention(
                numHeads,
                headDim,
                qProjT,
                kProjT,
                vProjT,
                RMSNorm.of(qNorm),
                RMSNorm.of(kNorm),
                outProjT,
                BinaryAttentionBias.of(varEmb),
                rope);
    }

    /** Loads {@code prefix + "q_proj.weight"} etc.; {@code rope} is shared by all layers. */
    public static GroupedQueryAttention load(
            WeightLoader w,
            String prefix,
            int dModel,
            int numHeads,
            int headDim,
            RotaryProjection rope)
            throws IOException {
        int inner = numHeads * headDim;
        Shape s = new Shape(dModel, inner);
        String why = "(num_heads * head_dim, d_model), no bias";
        NDArray q =
                w.manager().create(w.transposed(prefix + "q_proj.weight", why, inner, dModel), s);
        NDArray k =
                w.manager().create(w.transposed(prefix + "k_proj.weight", why, inner, dModel), s);
        NDArray v =
                w.manager().create(w.transposed(prefix + "v_proj.weight", why, inner, dModel), s);
        NDArray o =
                w.manager()
                        .create(
                                w.transposed(
                                        prefix + "out_proj.weight",
                                        "(d_model, d_model)",
                                        dModel,
                                        inner),
                                new Shape(inner, dModel));
        return new GroupedQueryAttention(
                numHeads,
                headDim,
                q,
                k,
                v,
                RMSNorm.load(w, prefix + "q_norm.", headDim),
                RMSNorm.load(w, prefix + "k_norm.", headDim),
                o,
                BinaryAttentionBias.load(w, prefix + "var_attn_bias.", numHeads),
                rope);
    }

    /** x (N, L, D) -> (N, L, D). */
    public NDArray forward(NDArray x, AttentionContext ctx) {
        Shape in = x.getShape();
        long n = in.get(0);
        long l = in.get(1);
        NDArray q = heads(x.matMul(qProjT), n, l); // (N, H, L, E)
        NDArray k = heads(x.matMul(kProjT), n, l);
        NDArray v = heads(x.matMul(vProjT), n, l);
        q = timeQkProj.forward(qNorm.forward(q), ctx.cos(), ctx.sin());
        k = timeQkProj.forward(kNorm.forward(k), ctx.cos(), ctx.sin());
        // SDPA: softmax(q k^T * scale + attn_bias) v, attn_bias = var bias masked_fill -inf
        NDArray bias =
                varAttnBias
                        .forward(ctx.sameVariate(), ctx.notSameVariate())
                        .add(ctx.maskBias()); // (N, H, L, L)
        NDArray logits =
                Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), 1.0f / (float) Math.sqrt(headDim)).add(bias);
        NDArray att = logits.softmax(-1).matMul(v); // (N, H, L, E)
        NDArray merged = att.transpose(0, 2, 1, 3).reshape(n, l, (long) numHeads * headDim);
        return merged.matMul(outProjT);
    }

    /**
     * As {@link #forward}, but only for the query tokens {@code keep} (K indices into L) of every
     * row: keys and values still come from all L tokens. x (N, L, D) -> (N, K, D).
     */
    public NDArray forwardQueries(NDArray x, AttentionContext ctx, NDArray keep) {
        Shape in = x.getShape();
        long n = in.get(0);
        long l = in.get(1);
        long kq = keep.getShape().get(0);
        NDIndex rows = new NDIndex(":, :, {}", keep); // query rows of (N, 1|H, L, ...)
        NDArray q = heads(x.get(new NDIndex(":, {}", keep)).matMul(qProjT), n, kq); // (N, H, K, E)
        NDArray k = heads(x.matMul(kProjT), n, l);
        NDArray v = heads(x.matMul(vProjT), n, l);
        q = timeQkProj.forward(qNorm.forward(q), ctx.cos().get(rows), ctx.sin().get(rows));
        k = timeQkProj.forward(kNorm.forward(k), ctx.cos(), ctx.sin());
        NDArray bias =
                varAttnBias
                        .forward(ctx.sameVariate().get(rows), ctx.notSameVariate().get(rows))
                        .add(ctx.maskBias().get(rows)); // (N, H, K, L)
        NDArray logits =
                Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), 1.0f / (float) Math.sqrt(headDim)).add(bias);
        NDArray att = logits.softmax(-1).matMul(v); // (N, H, K, E)
        NDArray merged = att.transpose(0, 2, 1, 3).reshape(n, kq, (long) numHeads * headDim);
        return merged.matMul(outProjT);
    }

    private NDArray heads(NDArray y, long n, long l) {
        return y.reshape(n, l, numHeads, headDim).transpose(0, 2, 1, 3);
    }
}
