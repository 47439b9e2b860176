package io.patchcast.models.module;

/**
 * A linear layer y = x · W + b in Java SIMD ({@link VectorGemm}), for the parts of the Moirai-MoE
 * forward pass around the encoder layers on CPU (patch embedding, the gate distances' product,
 * the distribution head). Each output row is computed from its own input row only, in a fixed
 * order, so a token's result does not depend on the other rows of the call, the thread count or
 * the CPU's vector width; libtorch's CPU kernels choose their code path by row count and by MKL's
 * instruction-set setting ({@code MKL_CBWR}), and then a series' forecast changed in its last bits
 * with the batch it shared. Load this class only after {@link VectorKernels#available()} said yes.
 */
public final class VectorLinear {

    private final VectorGemm.Panels w;
    private final float[] bias;

    private VectorLinear(VectorGemm.Panels w, float[] bias) {
        this.w = w;
        this.bias = bias;
    }

    /**
     * From the transposed weight {@code wT} (K, N) row-major ({@code wT[k * n + j]}, as libtorch's
     * {@code x.matMul(wT)} takes it) and a bias of N values, or null for none.
     */
    public static VectorLinear of(float[] wT, float[] bias, int k, int n) {
        if (bias != null && bias.length != n) {
            throw new IllegalArgumentException("bias has " + bias.length + " values, expected " + n);
        }
        return new VectorLinear(VectorGemm.Panels.of(wT, k, n), bias == null ? null : bias.clone());
    }

    /** Input width K. */
    public int in() {
        return w.k();
    }

    /** Output width N. */
    public int out() {
        return w.n();
    }

    /** y (m, N) = x (m, K) · W, plus the bias, as libtorch's {@code x.matMul(wT).add(b)}. */
    public float[] forward(float[] x, int m) {
        if (x.length < (long) m * w.k()) {
            throw new IllegalArgumentException(
                    "input has " + x.length + " values, expected " + m + " x " + w.k());
        }
        int n = w.n();
        float[] y = new float[Math.multiplyExact(m, n)];
        VectorGemm.multiply(x, m, w, y);
        if (bias != null) {
            for (int r = 0; r < m; r++) {
                for (int j = 0; j < n; j++) {
                    y[r * n + j] += bias[j];
                }
            }
        }
        return y;
    }
}
