package io.patchcast.models.module;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * y (M, N) = x (M, K) · W (K, N) and the GLU activation in Java SIMD (the JDK's Vector API), for
 * the Moirai-MoE layers on CPU. Load this class only after {@link VectorKernels#available()} said
 * yes.
 *
 * <p>Why not libtorch: an MoE expert sees about 2 token rows per call for a single series, and
 * libtorch's MKL kernels stream a weight matrix at 6–8 GB/s when M is 2–4 (15 GB/s at M = 1). This
 * kernel keeps four rows' accumulators in registers and reads each weight once per four rows:
 * about 12 GB/s per core at M = 1–4 and 60–70 GFLOP/s at M = 128 on this project's AVX2 machine
 * (MKL: 66). These figures come from a one-off single-thread micro-benchmark (a 384 x 1024 weight,
 * 32 of them cycled), not from a shipped benchmark; {@code bin/patchcast bench} measures the whole
 * model. It also needs no JNI calls per expert. On AVX-512 the panels are four vectors wide
 * ({@link #VECTORS}): 3 to 11 % more series per second at batch 64 and 9 to 15 % for 100 sample
 * paths over 64 steps, the same at batch 1 ({@code bench}, three runs back to back with the
 * two-vector panels on this project's machine).
 *
 * <p>Numbers: every output element is one float accumulator updated by fused multiply-add over k
 * = 0..K-1 in order, whatever M, the row's position, the thread or the vector width. A row's
 * result therefore never depends on the other rows of the call (the batch invariance that the
 * libtorch path gets from padding, see {@link MoEFeedForward#ROW_BLOCK}), and the same on AVX2
 * and AVX-512 machines.
 *
 * <p>W is kept as {@link Panels}: column panels of {@link #PANEL} columns, each panel's K rows
 * contiguous, so that the kernel streams it sequentially.
 */
final class VectorGemm {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Lanes of this CPU's preferred vector. */
    private static final int LANES = F.length();

    /**
     * Vectors per panel: four where vectors are 512 bits wide (AVX-512, 32 registers), so that a
     * four-row tile holds sixteen accumulators and each broadcast of an x value feeds four fused
     * multiply-adds; two otherwise (AVX2's 16 registers hold eight accumulators without spilling).
     * The layout changes which columns share a tile, never an element's sum.
     */
    static final int VECTORS = LANES >= 16 ? 4 : 2;

    /** Columns per panel. */
    static final int PANEL = VECTORS * LANES;

    private VectorGemm() {}

    /** W (K, N) as column panels; the last panel is zero-padded to {@link #PANEL} columns. */
    record Panels(int k, int n, float[] data) {

        /** From W stored row-major (K, N), i.e. {@code w[k * n + j]}. */
        static Panels of(float[] w, int k, int n) {
            if (w.length != (long) k * n) {
                throw new IllegalArgumentException(
                        "weight has " + w.length + " values, expected " + k + " x " + n);
            }
            int panels = (n + PANEL - 1) / PANEL;
            float[] data = new float[Math.multiplyExact(panels * PANEL, k)];
            for (int p = 0; p < panels; p++) {
                int cols = Math.min(PANEL, n - p * PANEL);
                for (int r = 0; r < k; r++) {
                    System.arraycopy(w, r * n + p * PANEL, data, (p * k + r) * PANEL, cols);
                }
            }
            return new Panels(k, n, data);
        }

        /** Column panels, the last one possibly partial. */
        int panels() {
            return (n + PANEL - 1) / PANEL;
        }
    }

    /**
     * y[r * N + j] = sum_k x[r * K + k] * W[k, j] for r < m; x holds at least m rows of K, y at
     * least m rows of N.
     */
    static void multiply(float[] x, int m, Panels w, float[] y) {
        multiply(x, m, w, y, 0);
    }

    /** As {@link #multiply(float[], int, Panels, float[])}, writing y from offset {@code at}. */
    static void multiply(float[] x, int m, Panels w, float[] y, int at) {
        multiply(x, m, w, y, at, 0, w.panels());
    }

    /**
     * As {@link #multiply(float[], int, Panels, float[], int)}, for the output columns of panels
     * {@code from} (inclusive) to {@code to} only: callers split a product by panels over threads.
     */
    static void multiply(float[] x, int m, Panels w, float[] y, int at, int from, int to) {
        int k = w.k();
        int n = w.n();
        float[] d = w.data();
        float[] tail = n % PANEL == 0 ? null : new float[4 * PANEL];
        for (int r0 = 0; r0 < m; r0 += ROWS_IN_CACHE) {
            if (VECTORS == 4) {
                block4(x, m, r0, Math.min(m, r0 + ROWS_IN_CACHE), k, n, d, y, at, from, to, tail);
            } else {
                block(x, m, r0, Math.min(m, r0 + ROWS_IN_CACHE), k, n, d, y, at, from, to, tail);
            }
        }
    }

    /**
     * Rows kept in cache while the panels stream past: ROWS_IN_CACHE rows of x (192 KiB for K =
     * 384) stay in L2 while every panel passes, and each 4-row tile reads its panel from L1 or, for
     * four-vector panels of a large K (96 KiB at K = 384), from L2. A multiple of 4, so that only
     * the last block has a partial tile.
     */
    private static final int ROWS_IN_CACHE = 128;

    /**
     * Rows [r0, r1) of {@link #multiply(float[], int, Panels, float[], int, int, int)}, panels of
     * two vectors.
     */
    private static void block(
            float[] x,
            int m,
            int r0,
            int r1,
            int k,
            int n,
            float[] d,
            float[] y,
            int at,
            int from,
            int to,
            float[] tail) {
        for (int p = from; p < to; p++) {
            int base = p * k * PANEL;
            int col = p * PANEL;
            boolean full = col + PANEL <= n;
            for (int r = r0; r < r1; r += 4) {
                // rows past m repeat the last row: the weights are read once per four rows
                // whatever m is, and the extra rows are dropped
                int x0 = r * k;
                int x1 = Math.min(r + 1, m - 1) * k;
                int x2 = Math.min(r + 2, m - 1) * k;
                int x3 = Math.min(r + 3, m - 1) * k;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector b0 = FloatVector.zero(F);
                FloatVector a1 = FloatVector.zero(F);
                FloatVector b1 = FloatVector.zero(F);
                FloatVector a2 = FloatVector.zero(F);
                FloatVector b2 = FloatVector.zero(F);
                FloatVector a3 = FloatVector.zero(F);
                FloatVector b3 = FloatVector.zero(F);
                for (int i = 0, o = base; i < k; i++, o += PANEL) {
                    FloatVector wa = FloatVector.fromArray(F, d, o);
                    FloatVector wb = FloatVector.fromArray(F, d, o + LANES);
                    FloatVector v = FloatVector.broadcast(F, x[x0 + i]);
                    a0 = wa.fma(v, a0);
                    b0 = wb.fma(v, b0);
                    v = FloatVector.broadcast(F, x[x1 + i]);
                    a1 = wa.fma(v, a1);
                    b1 = wb.fma(v, b1);
                    v = FloatVector.broadcast(F, x[x2 + i]);
                    a2 = wa.fma(v, a2);
                    b2 = wb.fma(v, b2);
                    v = FloatVector.broadcast(F, x[x3 + i]);
                    a3 = wa.fma(v, a3);
                    b3 = wb.fma(v, b3);
                }
                int rows = Math.min(4, m - r);
                if (full) {
                    store(a0, b0, y, at + r * n + col);
                    if (rows > 1) {
                        store(a1, b1, y, at + (r + 1) * n + col);
                    }
                    if (rows > 2) {
                        store(a2, b2, y, at + (r + 2) * n + col);
                    }
                    if (rows > 3) {
                        store(a3, b3, y, at + (r + 3) * n + col);
                    }
                } else {
                    store(a0, b0, tail, 0);
                    store(a1, b1, tail, PANEL);
                    store(a2, b2, tail, 2 * PANEL);
                    store(a3, b3, tail, 3 * PANEL);
                    for (int q = 0; q < rows; q++) {
                        System.arraycopy(tail, q * PANEL, y, at + (r + q) * n + col, n - col);
                    }
                }
            }
        }
    }

    /** As {@link #block}, panels of four vectors: the same sums, sixteen accumulators a tile. */
    private static void block4(
            float[] x,
            int m,
            int r0,
            int r1,
            int k,
            int n,
            float[] d,
            float[] y,
            int at,
            int from,
            int to,
            float[] tail) {
        for (int p = from; p < to; p++) {
            int base = p * k * PANEL;
            int col = p * PANEL;
            boolean full = col + PANEL <= n;
            for (int r = r0; r < r1; r += 4) {
                int x0 = r * k;
                int x1 = Math.min(r + 1, m - 1) * k;
                int x2 = Math.min(r + 2, m - 1) * k;
                int x3 = Math.min(r + 3, m - 1) * k;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector b0 = FloatVector.zero(F);
                FloatVector c0 = FloatVector.zero(F);
                FloatVector d0 = FloatVector.zero(F);
                FloatVector a1 = FloatVector.zero(F);
                FloatVector b1 = FloatVector.zero(F);
                FloatVector c1 = FloatVector.zero(F);
                FloatVector d1 = FloatVector.zero(F);
                FloatVector a2 = FloatVector.zero(F);
                FloatVector b2 = FloatVector.zero(F);
                FloatVector c2 = FloatVector.zero(F);
                FloatVector d2 = FloatVector.zero(F);
                FloatVector a3 = FloatVector.zero(F);
                FloatVector b3 = FloatVector.zero(F);
                FloatVector c3 = FloatVector.zero(F);
                FloatVector d3 = FloatVector.zero(F);
                for (int i = 0, o = base; i < k; i++, o += PANEL) {
                    FloatVector wa = FloatVector.fromArray(F, d, o);
                    FloatVector wb = FloatVector.fromArray(F, d, o + LANES);
                    FloatVector wc = FloatVector.fromArray(F, d, o + 2 * LANES);
                    FloatVector wd = FloatVector.fromArray(F, d, o + 3 * LANES);
                    FloatVector v = FloatVector.broadcast(F, x[x0 + i]);
                    a0 = wa.fma(v, a0);
                    b0 = wb.fma(v, b0);
                    c0 = wc.fma(v, c0);
                    d0 = wd.fma(v, d0);
                    v = FloatVector.broadcast(F, x[x1 + i]);
                    a1 = wa.fma(v, a1);
                    b1 = wb.fma(v, b1);
                    c1 = wc.fma(v, c1);
                    d1 = wd.fma(v, d1);
                    v = FloatVector.broadcast(F, x[x2 + i]);
                    a2 = wa.fma(v, a2);
                    b2 = wb.fma(v, b2);
                    c2 = wc.fma(v, c2);
                    d2 = wd.fma(v, d2);
                    v = FloatVector.broadcast(F, x[x3 + i]);
                    a3 = wa.fma(v, a3);
                    b3 = wb.fma(v, b3);
                    c3 = wc.fma(v, c3);
                    d3 = wd.fma(v, d3);
                }
                int rows = Math.min(4, m - r);
                // stores written out: a helper taking four vectors is not always inlined, and
                // then every accumulator is boxed (measured: batch 1 at a fifth of its speed)
                int o0 = full ? at + r * n + col : 0;
                float[] out = full ? y : tail;
                int step = full ? n : PANEL;
                a0.intoArray(out, o0);
                b0.intoArray(out, o0 + LANES);
                c0.intoArray(out, o0 + 2 * LANES);
                d0.intoArray(out, o0 + 3 * LANES);
                if (rows > 1 || !full) {
                    a1.intoArray(out, o0 + step);
                    b1.intoArray(out, o0 + step + LANES);
                    c1.intoArray(out, o0 + step + 2 * LANES);
                    d1.intoArray(out, o0 + step + 3 * LANES);
                }
                if (rows > 2 || !full) {
                    a2.intoArray(out, o0 + 2 * step);
                    b2.intoArray(out, o0 + 2 * step + LANES);
                    c2.intoArray(out, o0 + 2 * step + 2 * LANES);
                    d2.intoArray(out, o0 + 2 * step + 3 * LANES);
                }
                if (rows > 3 || !full) {
                    a3.intoArray(out, o0 + 3 * step);
                    b3.intoArray(out, o0 + 3 * step + LANES);
                    c3.intoArray(out, o0 + 3 * step + 2 * LANES);
                    d3.intoArray(out, o0 + 3 * step + 3 * LANES);
                }
                if (!full) {
                    for (int q = 0; q < rows; q++) {
                        System.arraycopy(tail, q * PANEL, y, at + (r + q) * n + col, n - col);
                    }
                }
            }
        }
    }

    /** y = x · w, the weight's column panels spread over the pool's threads. */
    static void multiply(float[] x, int m, Panels w, float[] y, ComputePool pool) {
        int panels = w.panels();
        int parts = Math.min(pool.threads(), panels);
        if (parts <= 1) {
            multiply(x, m, w, y);
            return;
        }
        List<Callable<Void>> tasks = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = p * panels / parts;
            int to = (p + 1) * panels / parts;
            tasks.add(
                    () -> {
                        multiply(x, m, w, y, 0, from, to);
                        return null;
                    });
        }
        pool.invokeAll(tasks);
    }

    /**
     * The GLU of m rows of h (m, 2F) = [gate | value]: {@code act[r, j] = silu(gate[r, j]) *
     * value[r, j]}, silu(g) = g / (1 + exp(-g)) with {@link #exp}. Each element depends on its own
     * inputs only.
     */
    static void glu(float[] h, int m, int f, float[] act) {
        int whole = f - f % LANES;
        for (int r = 0; r < m; r++) {
            int g = r * 2 * f;
            int v = g + f;
            int o = r * f;
            int j = 0;
            for (; j < whole; j += LANES) {
                FloatVector gate = FloatVector.fromArray(F, h, g + j);
                FloatVector value = FloatVector.fromArray(F, h, v + j);
                gate.div(exp(gate.neg()).add(1f)).mul(value).intoArray(act, o + j);
            }
            if (j < f) { // the last columns, through a zero-padded vector
                float[] gv = new float[LANES];
                float[] vv = new float[LANES];
                System.arraycopy(h, g + j, gv, 0, f - j);
                System.arraycopy(h, v + j, vv, 0, f - j);
                FloatVector gate = FloatVector.fromArray(F, gv, 0);
                FloatVector value = FloatVector.fromArray(F, vv, 0);
                gate.div(exp(gate.neg()).add(1f)).mul(value).intoArray(gv, 0);
                System.arraycopy(gv, 0, act, o + j, f - j);
            }
        }
    }

    private static final float LOG2E = 1.442695041f;
    private static final float LN2_HI = 0.693145752f; // ln 2 in 16 bits: n * LN2_HI is exact
    private static final float LN2_LO = 1.42860677e-6f; // ln 2 - LN2_HI
    private static final float ROUNDER = 12582912f; // 1.5 * 2^23: x + ROUNDER rounds x to an int

    /** Scalar {@link #exp(FloatVector)}: the same operations, hence the same bits. */
    static float exp(float x) {
        float c = Math.min(Math.max(x, -87f), 88f);
        float k = Math.fma(c, LOG2E, ROUNDER);
        float n = k - ROUNDER;
        float r = Math.fma(n, -LN2_HI, c);
        r = Math.fma(n, -LN2_LO, r);
        float p = 1f / 5040f;
        p = Math.fma(p, r, 1f / 720f);
        p = Math.fma(p, r, 1f / 120f);
        p = Math.fma(p, r, 1f / 24f);
        p = Math.fma(p, r, 1f / 6f);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int bits = Float.floatToRawIntBits(k) - (Float.floatToRawIntBits(ROUNDER) - 127);
        return p * Float.intBitsToFloat(bits << 23);
    }

    /**
     * e^x, within 2 ulp for x in [-87, 88] (clamped there; VectorGemmTest): x = n ln2 + r with
     * |r| <= ln2/2, e^r by its degree-7 Taylor polynomial (truncation below 1e-8 relative), times
     * 2^n built in the exponent bits. Only exactly rounded IEEE operations (add, multiply, fused multiply-add,
     * integer bit work), so the result is the same bit for bit in interpreted and compiled code;
     * the JDK's vector EXP is not (its compiled form calls a different library than its
     * interpreted one), which would make a forecast depend on the JIT's progress.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(-87f).min(88f);
        FloatVector k = c.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUNDER));
        FloatVector n = k.sub(ROUNDER); // round(x / ln2), exactly
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), c);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(F, 1f / 5040f);
        p = p.fma(r, FloatVector.broadcast(F, 1f / 720f));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 120f));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 24f));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 6f));
        p = p.fma(r, FloatVector.broadcast(F, 0.5f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        // k's low mantissa bits hold n: 2^n = (n + 127) << 23 as float bits
        IntVector bits = (IntVector) k.reinterpretAsInts();
        FloatVector scale =
                bits.sub(Float.floatToRawIntBits(ROUNDER) - 127)
                        .lanewise(VectorOperators.LSHL, 23)
                        .reinterpretAsFloats();
        return p.mul(scale);
    }

    private static void store(FloatVector a, FloatVector b, float[] y, int at) {
        a.intoArray(y, at);
        b.intoArray(y, at + LANES);
    }
}
