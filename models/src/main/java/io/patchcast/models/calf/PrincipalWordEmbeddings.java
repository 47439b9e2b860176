package io.patchcast.models.calf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Port of CALF {@code pca.py}: the P principal word embeddings, {@code PCA(P).fit_transform(wte.T)}
 * transposed to (P, D) (spec §3.3), computed deterministically.
 *
 * <p>Samples are the D embedding dimensions, features the V tokens: every token row of wte is centred
 * by its own mean over D, X_c = U S V^T, and row j of the result is S_j U[:, j]^T. U and S come from
 * the eigen-decomposition of the D x D Gram matrix X_c X_c^T (float64, cyclic Jacobi), signs by
 * sklearn's {@code svd_flip(u_based_decision=True)}: the largest-|.| entry of each U column is
 * positive. CALF's own file came from sklearn's randomized solver without a seed and is not
 * reproducible (spec §3.3); this is the exact decomposition, as the fixtures' generator computes it.
 */
public final class PrincipalWordEmbeddings {

    private PrincipalWordEmbeddings() {}

    /** wte (V, D) row-major -> (P, D) row-major float32. */
    public static float[] compute(float[] wte, int vocab, int dModel, int nComponents, NDManager manager) {
        if ((long) vocab * dModel != wte.length) {
            throw new IllegalArgumentException(
                    String.format("wte has %d values, expected vocab %d x d_model %d", wte.length, vocab, dModel));
        }
        if (nComponents < 1 || nComponents >= dModel) {
            throw new IllegalArgumentException(
                    String.format(
                            "n_components %d must be in [1, d_model - 1 = %d]: centring leaves rank <= D-1",
                            nComponents, dModel - 1));
        }
        double[] gram = gram(wte, vocab, dModel, manager);
        double[] vectors = new double[dModel * dModel];
        double[] values = jacobiEigen(gram, dModel, vectors);
        int[] order = descending(values);
        float[] out = new float[nComponents * dModel];
        for (int j = 0; j < nComponents; j++) {
            int col = order[j];
            double s = Math.sqrt(Math.max(values[col], 0.0));
            int arg = 0;
            for (int i = 1; i < dModel; i++) {
                if (Math.abs(vectors[i * dModel + col]) > Math.abs(vectors[arg * dModel + col])) {
                    arg = i;
                }
            }
            double sign = vectors[arg * dModel + col] < 0 ? -1.0 : 1.0;
            for (int i = 0; i < dModel; i++) {
                out[j * dModel + i] = (float) (sign * s * vectors[i * dModel + col]);
            }
        }
        return out;
    }

    /** X_c X_c^T (D, D) in float64, X_c = (wte - row means)^T. */
    private static double[] gram(float[] wte, int vocab, int dModel, NDManager manager) {
        double[] centred = new double[wte.length];
        for (int v = 0; v < vocab; v++) {
            double mean = 0;
            for (int i = 0; i < dModel; i++) {
                mean += wte[v * dModel + i];
            }
            mean /= dModel;
            for (int i = 0; i < dModel; i++) {
                centred[v * dModel + i] = wte[v * dModel + i] - mean;
            }
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray c = m.create(centred, new Shape(vocab, dModel)); // (V, D)
            NDArray g = c.transpose().matMul(c); // (D, D)
            return g.toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    /** Cyclic Jacobi on the symmetric (n, n) {@code a} (destroyed); eigenvectors as columns. */
    static double[] jacobiEigen(double[] a, int n, double[] vectors) {
        for (int i = 0; i < n; i++) {
            vectors[i * n + i] = 1.0;
        }
        double total = 0;
        for (double x : a) {
            total += x * x;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p * n + q] * a[p * n + q];
                }
            }
            if (off <= 1e-30 * total) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    rotate(a, vectors, n, p, q);
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i * n + i];
        }
        return values;
    }

    private static void rotate(double[] a, double[] v, int n, int p, int q) {
        double apq = a[p * n + q];
        if (apq == 0.0) {
            return;
        }
        double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1.0));
        if (theta == 0.0) {
            t = 1.0;
        }
        double c = 1.0 / Math.sqrt(t * t + 1.0);
        double s = t * c;
        for (int k = 0; k < n; k++) { // columns p, q: A P
            double akp = a[k * n + p];
            double akq = a[k * n + q];
            a[k * n + p] = c * akp - s * akq;
            a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++) { // rows p, q: P^T A
            double apk = a[p * n + k];
            double aqk = a[q * n + k];
            a[p * n + k] = c * apk - s * aqk;
            a[q * n + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; k++) {
            double vkp = v[k * n + p];
            double vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
        }
    }

    private static int[] descending(double[] values) {
        Integer[] idx = new Integer[values.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (x, y) -> Double.compare(values[y], values[x]));
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
