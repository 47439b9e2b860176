package io.patchcast.models.module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.function.BinaryOperator;

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

    /** {@code op(x, v)} with v as a libtorch-owned scalar, closed after the op (the graph keeps its own reference). */
    private static NDArray with(NDArray x, double v, BinaryOperator<NDArray> op) {
        try (NDArray s = of(x, v)) {
            return op.apply(x, s);
        }
    }

    /** x + v. */
    public static NDArray add(NDArray x, double v) {
        return with(x, v, NDArray::add);
    }

    /** x - v. */
    public static NDArray sub(NDArray x, double v) {
        return with(x, v, NDArray::sub);
    }

    /** x * v. */
    public static NDArray mul(NDArray x, double v) {
        return with(x, v, NDArray::mul);
    }

    /** x / v. */
    public static NDArray div(NDArray x, double v) {
        return with(x, v, NDArray::div);
    }

    /** x ^ v. */
    public static NDArray pow(NDArray x, double v) {
        return with(x, v, NDArray::pow);
    }

    /** max(x, v) elementwise. */
    public static NDArray maximum(NDArray x, double v) {
        return with(x, v, NDArray::maximum);
    }

    /** min(x, v) elementwise. */
    public static NDArray minimum(NDArray x, double v) {
        return with(x, v, NDArray::minimum);
    }
}
