package io.patchcast.models.module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;

/**
 * Port of uni2ts {@code BinaryAttentionBias} (src/uni2ts/module/position/attn_bias.py): one learned
 * bias per head for "same variate" ({@code emb.weight[1]}) and "different variate" ({@code
 * emb.weight[0]}), spec §6.2.
 */
public final class BinaryAttentionBias {

    private final NDArray same; // (1, H, 1, 1) emb.weight[1]
    private final NDArray different; // (1, H, 1, 1) emb.weight[0]

    private BinaryAttentionBias(NDArray same, NDArray different) {
        this.same = same;
        this.different = different;
    }

    /** From {@code emb} (2, H) as given (row 0 different, row 1 same variate), e.g. trainable. */
    public static BinaryAttentionBias of(NDArray emb) {
        long h = emb.getShape().get(1);
        return new BinaryAttentionBias(emb.get(1).reshape(1, h, 1, 1), emb.get(0).reshape(1, h, 1, 1));
    }

    public static BinaryAttentionBias load(WeightLoader w, String prefix, int numHeads)
            throws IOException {
        float[] emb = w.floats(prefix + "emb.weight", "(2, num_heads)", 2, numHeads);
        float[] diff = new float[numHeads];
        float[] same = new float[numHeads];
        System.arraycopy(emb, 0, diff, 0, numHeads);
        System.arraycopy(emb, numHeads, same, 0, numHeads);
        Shape s = new Shape(1, numHeads, 1, 1);
        return new BinaryAttentionBias(w.manager().create(same, s), w.manager().create(diff, s));
    }

    /**
     * sameVariate (N, 1, L, L) as 0/1 floats, notSameVariate its complement -> bias (N, H, L, L).
     * Written as a sum of two products of which one is exactly 0, so each entry equals the
     * embedding value bit for bit.
     */
    public NDArray forward(NDArray sameVariate, NDArray notSameVariate) {
        return sameVariate.mul(same).add(notSameVariate.mul(different));
    }
}
