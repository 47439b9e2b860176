package io.patchcast.models.module;

/**
 * The GLU experts of one MoE layer computed in Java SIMD ({@link VectorGemm}) from weights held on
 * the JVM heap: {@code fc2(silu(fc_gate(x)) * fc1(x))}. Create only when {@link
 * VectorKernels#available()}.
 */
final class VectorExperts {

    private final int dModel;
    private final int dFf;
    private final VectorGemm.Panels[] gate1; // X x (D, 2F): [fc_gate^T | fc1^T]
    private final VectorGemm.Panels[] down; // X x (F, D)

    private VectorExperts(
            int dModel, int dFf, VectorGemm.Panels[] gate1, VectorGemm.Panels[] down) {
        this.dModel = dModel;
        this.dFf = dFf;
        this.gate1 = gate1;
        this.down = down;
    }

    /** From per-expert (D, 2F) and (F, D) row-major matrices. */
    static VectorExperts of(float[][] gate1, float[][] down, int dModel, int dFf) {
        VectorGemm.Panels[] g = new VectorGemm.Panels[gate1.length];
        VectorGemm.Panels[] d = new VectorGemm.Panels[down.length];
        for (int e = 0; e < g.length; e++) {
            g[e] = VectorGemm.Panels.of(gate1[e], dModel, 2 * dFf);
            d[e] = VectorGemm.Panels.of(down[e], dFf, dModel);
        }
        return new VectorExperts(dModel, dFf, g, d);
    }

    /** Per-thread work arrays (gathered rows, [gate | value], activation), grown on demand. */
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[3][0]);

    /**
     * Expert e on the given rows of x (T, D) row-major; writes its (rows, D) output to y from row
     * {@code at}.
     */
    void forward(float[] x, int e, int[] rows, float[] y, int at) {
        int m = rows.length;
        float[][] scratch = SCRATCH.get();
        float[] xe = grow(scratch, 0, m * dModel);
        float[] h = grow(scratch, 1, m * 2 * dFf); // (m, 2F)
        float[] act = grow(scratch, 2, m * dFf);
        for (int i = 0; i < m; i++) {
            System.arraycopy(x, rows[i] * dModel, xe, i * dModel, dModel);
        }
        VectorGemm.multiply(xe, m, gate1[e], h);
        VectorGemm.glu(h, m, dFf, act);
        VectorGemm.multiply(act, m, down[e], y, at * dModel);
    }

    private static float[] grow(float[][] scratch, int i, int size) {
        if (scratch[i].length < size) {
            scratch[i] = new float[Math.max(size, scratch[i].length * 3 / 2)];
        }
        return scratch[i];
    }
}
