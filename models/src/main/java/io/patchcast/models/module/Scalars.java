package io.patchcast.models.module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic of an array with a Java number, safe under autograd. Use these instead of DJL's {@code
 * NDArray.mul(Number)} and friends wherever a gradient may be recorded.
 *
 * <p>Why: DJL's PyTorch engine turns the number into a 0-d tensor with {@code torch::from_blob} over
 * a Java direct buffer and closes it right after the op. Ops such as mul, div, pow, maximum and
 * minimum save that tensor for their backward pass. Once Java collects the buffer, backward reads
 * freed memory: garbage or NaN gradients, at random and more often under memory pressure. It showed
 * as the occasional infinite CALF gradient and the Moirai trainer's skipped non-finite batches.
 * Here the scalar comes from {@code torch::full}, so libtorch owns its memory and keeps it alive as
 * long as the graph needs it ({@code ScalarsTest} reproduces the failure of the DJL form).
 *
 * <p>The scalar has the array's data type and device, so the result equals DJL's form bit for bit.
 */
public final class Scalars {

    private Scalars() {}

    /** A 0-d array of {@code value} owned by libtorch, in {@code like}'s manager, type and device. */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }

    /** x + v. */
    public static NDArray add(NDArray x, double v) {
        try (NDArray s = of(x, v)) {
            return x.add(s);
        }
    }

    /** x - v. */
    public static NDArray sub(NDArray x, double v) {
        try (NDArray s = of(x, v)) {
            return x.sub(s);
        }
    }

    /** x * v. */
    public static NDArray mul(NDArray x, double v) {
        try (NDArray s = of(x, v)) {
            return x.mul(s);
        }
    }

    /** x / v. */
    public static NDArray div(NDArray x, double v) {
        try (NDArray s = of(x, v)) {
            return x.div(s);
        }
    }

    /** x ^ v. */
    public static NDArray pow(NDArray x, double v) {
        try (NDArray s = of(x, v)) {
            return x.pow(s);
        }
    }

    /** max(x, v) elementwise. */
    public static NDArray maximum(NDArray x, double v) {
        try (NDArray s = of(x, v)) {
            return x.maximum(s);
        }
    }

    /** min(x, v) elementwise. */
    public static NDArray minimum(NDArray x, double v) {
        try (NDArray s = of(x, v)) {
            return x.minimum(s);
        }
    }
}
