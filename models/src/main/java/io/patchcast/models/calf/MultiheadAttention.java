package io.patchcast.models.calf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

import io.patchcast.models.module.Scalars;

/**
 * Port of torch {@code nn.MultiheadAttention} as CALF's {@code Encoder_PCA} uses it (spec §3.2):
 * packed {@code in_proj_weight} = [W_q; W_k; W_v], biases on, no mask, no dropout.
 *
 * <p>Glossary: B batch, T query tokens, S key tokens, D embed dim, H heads.
 */
final class MultiheadAttention {

    private final NDArray inProjT; // (D, 3D)
    private final NDArray inProjBias; // (3D)
    private final NDArray outProjT; // (D, D)
    private final NDArray outProjBias; // (D)
    private final int numHeads;

    MultiheadAttention(CalfParameters p, String prefix, int numHeads) {
        this.inProjT = p.get(prefix + "in_proj_weight");
        this.inProjBias = p.get(prefix + "in_proj_bias");
        this.outProjT = p.get(prefix + "out_proj.weight");
        this.outProjBias = p.get(prefix + "out_proj.bias");
        this.numHeads = numHeads;
    }

    /** The attention output (B, T, D) and the per-head weights (B, H, T, S). */
    record Result(NDArray output, NDArray weights) {}

    /** query (B, T, D), keyValue (B, S, D). */
    Result forward(NDArray query, NDArray keyValue) {
        long d = query.getShape().get(2);
        NDArray qp = CalfOps.linear(query, inProjT, inProjBias); // (B, T, 3D)
        NDArray kvp = query == keyValue ? qp : CalfOps.linear(keyValue, inProjT, inProjBias);
        NDArray q = CalfOps.heads(qp.get(new NDIndex("..., 0:{}", d)), numHeads);
        NDArray k = CalfOps.heads(kvp.get(new NDIndex("..., {}:{}", d, 2 * d)), numHeads);
        NDArray v = CalfOps.heads(kvp.get(new NDIndex("..., {}:", 2 * d)), numHeads);
        float scale = (float) (1.0 / Math.sqrt((double) d / numHeads));
        NDArray att = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), scale).softmax(-1); // (B, H, T, S)
        NDArray o = CalfOps.mergeHeads(att.matMul(v));
        return new Result(CalfOps.linear(o, outProjT, outProjBias), att);
    }
}
