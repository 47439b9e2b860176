package io.patchcast.models.module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.patchcast.models.io.ModelFormatException;
import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.TensorInfo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads checkpoint tensors by their own keys into a long-lived weight manager, checking shapes and
 * remembering which keys were used, so {@link #logUnused()} can report keys nobody asked for.
 *
 * <p>Every tensor becomes float32 (spec §1: the loader accepts F64/F32/F16/BF16 everywhere).
 */
public final class WeightLoader {

    private static final Logger LOG = LoggerFactory.getLogger(WeightLoader.class);

    private final SafetensorsReader reader;
    private final NDManager weights;
    private final Set<String> used = new TreeSet<>();

    public WeightLoader(SafetensorsReader reader, NDManager weights) {
        this.reader = reader;
        this.weights = weights;
    }

    public NDManager manager() {
        return weights;
    }

    /** Raw float32 values of {@code key} after checking its shape. */
    public float[] floats(String key, String why, long... shape) throws IOException {
        reader.requireShape(key, why, shape);
        used.add(key);
        return reader.floats(key);
    }

    public TensorInfo info(String key) throws ModelFormatException {
        return reader.info(key);
    }

    /** A vector {@code (n)}. */
    public NDArray vector(String key, String why, long n) throws IOException {
        return weights.create(floats(key, why, n), new Shape(n));
    }

    /**
     * {@code nn.Linear} weight {@code [out][in]} (optionally with leading extra dims of size 1, as
     * MultiInSizeLinear's {@code (1, out, in)}) returned transposed as {@code (in, out)}, so that a
     * call computes {@code x.matMul(wT)} with the activation first.
     */
    public float[] transposed(String key, String why, int out, int in, long... lead)
            throws IOException {
        long[] shape = new long[lead.length + 2];
        System.arraycopy(lead, 0, shape, 0, lead.length);
        shape[lead.length] = out;
        shape[lead.length + 1] = in;
        float[] w = floats(key, why, shape);
        return transpose(w, out, in);
    }

    /** {@code (rows, cols)} row-major to {@code (cols, rows)}. */
    public static float[] transpose(float[] w, int rows, int cols) {
        float[] t = new float[w.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = w[r * cols + c];
            }
        }
        return t;
    }

    /** Logs, once, the checkpoint keys that no block loaded. */
    public void logUnused() {
        Set<String> unused = new TreeSet<>(reader.tensors().keySet());
        unused.removeAll(used);
        if (!unused.isEmpty()) {
            LOG.warn(
                    "{}: {} unknown tensor keys ignored: {}", reader.file(), unused.size(), unused);
        }
    }
}
