package io.patchcast.models.module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Port of uni2ts {@code RotaryProjection} (src/uni2ts/module/position/attn_projection.py) as
 * Moirai-MoE uses it through {@code QueryKeyProjection(partial_factor=(0.0, 0.5))}: interleaved
 * pairs (2i, 2i+1) of the first 32 of 64 head dims are rotated by {@code time_id * theta_i}, the
 * other 32 dims pass through (spec §6.3).
 *
 * <p>Glossary: N rows, H heads, L tokens, R = 32 rotated dims.
 */
public final class RotaryProjection {

    public static final int BASE = 10000;

    private final int projWidth; // R = 32
    private final float[] theta; // (R/2), float32 like torch
    private final NDArray rotT; // (R, R): x.matMul(rotT) = stack([-x[2i+1], x[2i]]) interleaved

    public RotaryProjection(NDManager weights, int projWidth) {
        this.projWidth = projWidth;
        this.theta = new float[projWidth / 2];
        for (int i = 0; i < theta.length; i++) {
            // theta = 1 / base ** (arange(0, width, 2) / width), float32
            theta[i] = (float) (1.0 / Math.pow(BASE, (float) (2 * i) / projWidth));
        }
        float[] r = new float[projWidth * projWidth];
        for (int i = 0; i < projWidth / 2; i++) {
            // rot[2i] = -x[2i+1]; rot[2i+1] = x[2i]   (row = input dim, col = output dim)
            r[(2 * i + 1) * projWidth + 2 * i] = -1f;
            r[(2 * i) * projWidth + 2 * i + 1] = 1f;
        }
        this.rotT = weights.create(r, new Shape(projWidth, projWidth));
    }

    /**
     * cos and sin tables for positions {@code timeId} (N, L), each (N, 1, L, R), angles {@code m *
     * theta_i} in float32 repeated for the pair (torch: repeat "(width 2)").
     */
    public NDArray[] tables(NDManager call, long[] timeId, int n, int l) {
        float[][] cs = angles(timeId, n, l);
        Shape shape = new Shape(n, 1, l, projWidth);
        return new NDArray[] {call.create(cs[0], shape), call.create(cs[1], shape)};
    }

    /** The tables of {@link #tables} as {cos, sin}, each (N*L, R) row-major. */
    public float[][] angles(long[] timeId, int n, int l) {
        float[] cos = new float[n * l * projWidth];
        float[] sin = new float[n * l * projWidth];
        for (int t = 0; t < n * l; t++) {
            float m = (float) timeId[t];
            for (int i = 0; i < theta.length; i++) {
                float ang = m * theta[i];
                float c = (float) Math.cos(ang);
                float s = (float) Math.sin(ang);
                int o = t * projWidth + 2 * i;
                cos[o] = c;
                cos[o + 1] = c;
                sin[o] = s;
                sin[o + 1] = s;
            }
        }
        return new float[][] {cos, sin};
    }

    /** x (N, H, L, 64): rotates dims [0, R) of every head, keeps [R, 64). */
    public NDArray forward(NDArray x, NDArray cos, NDArray sin) {
        NDArray rotated = x.get(new NDIndex("..., :" + projWidth)); // (N, H, L, R)
        NDArray rest = x.get(new NDIndex("..., " + projWidth + ":")); // (N, H, L, 64 - R)
        // x * cos + rotate_half_interleaved(x) * sin
        NDArray y = rotated.mul(cos).add(rotated.matMul(rotT).mul(sin));
        return y.concat(rest, -1);
    }
}
