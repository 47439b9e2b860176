package io.patchcast.models.module;

import ai.djl.ndarray.NDArray;

import java.io.IOException;

/**
 * Port of uni2ts {@code RMSNorm} (src/uni2ts/module/norm.py): {@code x * rsqrt(mean(x^2) + eps) *
 * weight} over the last dimension, eps 1e-5.
 */
public final class RMSNorm {

    /** norm.py default. */
    public static final float EPS = 1e-5f;

    private final NDArray weight; // (D)

    RMSNorm(NDArray weight) {
        this.weight = weight;
    }

    /** Over {@code weight} (D) as given, e.g. a trainable parameter. */
    public static RMSNorm of(NDArray weight) {
        return new RMSNorm(weight);
    }

    public static RMSNorm load(WeightLoader w, String prefix, int dim) throws IOException {
        return new RMSNorm(w.vector(prefix + "weight", "RMSNorm over the last dim", dim));
    }

    /** The weight (D) as Java floats. */
    public float[] weights() {
        return weight.toFloatArray();
    }

    /** x (..., D) -> (..., D), in x's manager. */
    public NDArray forward(NDArray x) {
        NDArray ms = x.square().mean(new int[] {-1}, true); // (..., 1)
        return x.div(Scalars.add(ms, EPS).sqrt()).mul(weight);
    }
}
