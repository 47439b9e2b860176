package io.patchcast.models.distribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import io.patchcast.models.module.VectorLinear;
import io.patchcast.models.module.WeightLoader;

import java.io.IOException;

/**
 * Port of uni2ts {@code DistrParamProj} (src/uni2ts/distribution/_base.py) for the Moirai-MoE
 * mixture: one {@code MultiOutSizeLinear(d, dim * 16)} per leaf, fused here into one (D, 192)
 * matmul, then the "(dim out_size) -> out_size dim" rearrange ({@code param[p][j] = raw[j*16+p]})
 * and the domain maps of spec §8.1.
 */
public final class DistrParamProj {

    /** Leaves in the order of the fused raw output, with their dim (args_dim). */
    public static final String[] LEAVES = {
        "weights_logits",
        "components.0.df",
        "components.0.loc",
        "components.0.scale",
        "components.1.loc",
        "components.2.total_count",
        "components.2.logits",
        "components.3.loc",
        "components.3.scale"
    };

    static final int[] DIMS = {4, 1, 1, 1, 1, 1, 1, 1, 1};
    static final int P = Mixture.PATCH;
    public static final int RAW = 12 * P; // 4*16 + 8*16 = 192

    /** torch.finfo(float32).eps, the scale clamp of student_t.py / log_normal.py. */
    static final float EPS_F32 = 1.1920929e-07f;

    private final NDArray wT; // (D, 192)
    private final NDArray b; // (192)
    private final double normalScale;

    DistrParamProj(NDArray wT, NDArray b, double normalScale) {
        this.wT = wT;
        this.b = b;
        this.normalScale = normalScale;
    }

    public static DistrParamProj load(WeightLoader w, String prefix, int dModel, double normalScale)
            throws IOException {
        float[] fused = new float[dModel * RAW];
        float[] bias = new float[RAW];
        int col = 0;
        for (int k = 0; k < LEAVES.length; k++) {
            int out = DIMS[k] * P;
            String key = prefix + LEAVES[k];
            float[] wt =
                    w.transposed(
                            key + ".weight",
                            "(1, dim*16, d_model) MultiOutSizeLinear",
                            out,
                            dModel,
                            1);
            for (int r = 0; r < dModel; r++) {
                System.arraycopy(wt, r * out, fused, r * RAW + col, out);
            }
            System.arraycopy(w.floats(key + ".bias", "(1, dim*16)", 1, out), 0, bias, col, out);
            col += out;
        }
        return new DistrParamProj(
                w.manager().create(fused, new Shape(dModel, RAW)),
                w.manager().create(bias, new Shape(RAW)),
                normalScale);
    }

    /**
     * The projection as a Java SIMD layer ({@link VectorLinear#forward} gives what {@link #raw}
     * gives); only where {@link io.patchcast.models.module.VectorKernels#available()}.
     */
    public VectorLinear vector() {
        return VectorLinear.of(wT.toFloatArray(), b.toFloatArray(), Math.toIntExact(wT.getShape().get(0)), RAW);
    }

    /** h (T, D) -> raw (T, 192) as Java floats, leaves concatenated in {@link #LEAVES} order. */
    public float[] raw(NDArray h) {
        return h.matMul(wT).add(b).toFloatArray();
    }

    private static final int[] OFFSETS = new int[DIMS.length];

    static {
        for (int k = 1; k < DIMS.length; k++) {
            OFFSETS[k] = OFFSETS[k - 1] + DIMS[k - 1] * P;
        }
    }

    /** Offset of leaf k in a raw row. */
    public static int offset(int k) {
        return OFFSETS[k];
    }

    /** Width dim * 16 of leaf k in a raw row. */
    public static int width(int k) {
        return DIMS[k] * P;
    }

    /** Domain maps on raw (T, 192), with the scaler's loc/scale (T), into a {@link Mixture}. */
    public Mixture mixture(float[] raw, int tokens, float[] loc, float[] scale) {
        int tp = tokens * P;
        float[] wl = new float[tp * Mixture.COMPONENTS];
        float[][] leaf = new float[LEAVES.length][];
        for (int k = 1; k < LEAVES.length; k++) {
            leaf[k] = new float[tp];
        }
        for (int t = 0; t < tokens; t++) {
            int row = t * RAW;
            for (int p = 0; p < P; p++) {
                for (int c = 0; c < Mixture.COMPONENTS; c++) {
                    wl[(t * P + p) * Mixture.COMPONENTS + c] = raw[row + c * P + p];
                }
                for (int k = 1; k < LEAVES.length; k++) {
                    leaf[k][t * P + p] = raw[row + OFFSETS[k] + p];
                }
            }
        }
        for (int i = 0; i < tp; i++) {
            leaf[1][i] = 2f + softplus(leaf[1][i]); // df
            leaf[3][i] = Math.max(softplus(leaf[3][i]), EPS_F32); // student-t scale
            leaf[5][i] = softplus(leaf[5][i]); // total_count
            leaf[8][i] = Math.max(softplus(leaf[8][i]), EPS_F32); // log-normal scale
        }
        return new Mixture(
                tokens,
                wl,
                leaf[1],
                leaf[2],
                leaf[3],
                leaf[4],
                normalScale,
                leaf[5],
                leaf[6],
                leaf[7],
                leaf[8],
                loc,
                scale);
    }

    /** torch.nn.functional.softplus (beta 1, threshold 20), spec §12.19. */
    public static float softplus(float x) {
        return x > 20f ? x : (float) Math.log1p(Math.exp(x));
    }
}
