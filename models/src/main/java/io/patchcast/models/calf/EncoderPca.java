package io.patchcast.models.calf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Port of CALF {@code Encoder_PCA} (models/CALF.py), the cross-modal match module (spec §3.2):
 * {@code Linear(L -> D)}, one post-norm {@code TransformerEncoderLayer} (ReLU, no mask) over the
 * variate tokens giving X_time, and a cross-attention of X_time onto the principal word embeddings
 * giving X_text.
 *
 * <p>Glossary: B batch, M variates, L seq_len, D d_model, P principal word embeddings.
 */
final class EncoderPca {

    private final NDArray linearT; // (L, D)
    private final NDArray linearBias; // (D)
    private final MultiheadAttention selfAttn;
    private final NDArray norm1Weight;
    private final NDArray norm1Bias;
    private final NDArray linear1T; // (D, FF)
    private final NDArray linear1Bias;
    private final NDArray linear2T; // (FF, D)
    private final NDArray linear2Bias;
    private final NDArray norm2Weight;
    private final NDArray norm2Bias;
    private final MultiheadAttention crossAttention; // null without the text branch

    EncoderPca(CalfParameters p) {
        String e = CalfParameters.ENC;
        int heads = p.config().encHeads();
        linearT = p.get("in_layer.linear.weight");
        linearBias = p.get("in_layer.linear.bias");
        selfAttn = new MultiheadAttention(p, e + "self_attn.", heads);
        norm1Weight = p.get(e + "norm1.weight");
        norm1Bias = p.get(e + "norm1.bias");
        linear1T = p.get(e + "linear1.weight");
        linear1Bias = p.get(e + "linear1.bias");
        linear2T = p.get(e + "linear2.weight");
        linear2Bias = p.get(e + "linear2.bias");
        norm2Weight = p.get(e + "norm2.weight");
        norm2Bias = p.get(e + "norm2.bias");
        crossAttention = p.textBranch() ? new MultiheadAttention(p, CalfParameters.CROSS, heads) : null;
    }

    /** X_time (B, M, D), and with a word embedding X_text (B, M, D) and the weights (B, H, M, P). */
    record Output(NDArray linearOut, NDArray xTime, NDArray xText, NDArray crossAttnWeights) {}

    /** input (B, M, L) normalised and transposed; wordEmbedding (P, D) or null for time only. */
    Output forward(NDArray input, NDArray wordEmbedding) {
        NDArray z = CalfOps.linear(input, linearT, linearBias); // (B, M, D)
        // torch TransformerEncoderLayer, norm_first=False: x = norm1(x + sa(x)); x = norm2(x + ff(x))
        NDArray z1 =
                CalfOps.layerNorm(
                        z.add(selfAttn.forward(z, z).output()),
                        norm1Weight,
                        norm1Bias,
                        CalfConfig.LN_EPS);
        NDArray ff =
                CalfOps.linear(
                        CalfOps.relu(CalfOps.linear(z1, linear1T, linear1Bias)),
                        linear2T,
                        linear2Bias);
        NDArray xTime = CalfOps.layerNorm(z1.add(ff), norm2Weight, norm2Bias, CalfConfig.LN_EPS);
        if (wordEmbedding == null || crossAttention == null) {
            return new Output(z, xTime, null, null);
        }
        Shape we = wordEmbedding.getShape();
        NDArray kv = wordEmbedding.broadcast(new Shape(input.getShape().get(0), we.get(0), we.get(1)));
        MultiheadAttention.Result cross = crossAttention.forward(xTime, kv);
        return new Output(z, xTime, cross.output(), cross.weights());
    }
}
