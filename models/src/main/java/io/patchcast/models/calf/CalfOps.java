package io.patchcast.models.calf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import io.patchcast.models.module.Scalars;

/**
 * The tensor functions CALF's layers are built from, written with the activation as first operand
 * so results belong to the caller's manager and autograd reaches every parameter (CONVENTIONS §5).
 */
final class CalfOps {

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    private CalfOps() {}

    /** torch LayerNorm over the last dim: biased variance, eps inside the sqrt. x (..., D). */
    static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, float eps) {
        NDArray mu = x.mean(new int[] {-1}, true);
        NDArray xc = x.sub(mu);
        NDArray var = xc.square().mean(new int[] {-1}, true);
        return xc.div(Scalars.add(var, eps).sqrt()).mul(weight).add(bias);
    }

    /** y = x wT + b with wT stored (in, out). */
    static NDArray linear(NDArray x, NDArray wT, NDArray bias) {
        NDArray y = x.matMul(wT);
        return bias == null ? y : y.add(bias);
    }

    /** transformers {@code NewGELUActivation} (gelu_new): tanh approximation. */
    static NDArray geluNew(NDArray x) {
        NDArray inner = Scalars.mul(x.add(Scalars.mul(Scalars.pow(x, 3), 0.044715f)), SQRT_2_OVER_PI);
        return Scalars.mul(x, 0.5f).mul(Scalars.add(inner.tanh(), 1f));
    }

    static NDArray relu(NDArray x) {
        return Activation.relu(x);
    }

    /** (B, T, H*E) -> (B, H, T, E). */
    static NDArray heads(NDArray y, int numHeads) {
        Shape s = y.getShape();
        long b = s.get(0);
        long t = s.get(1);
        long e = s.get(2) / numHeads;
        return y.reshape(b, t, numHeads, e).transpose(0, 2, 1, 3);
    }

    /** (B, H, T, E) -> (B, T, H*E). */
    static NDArray mergeHeads(NDArray y) {
        Shape s = y.getShape();
        return y.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }
}
