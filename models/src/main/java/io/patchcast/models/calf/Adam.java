package io.patchcast.models.calf;

/**
 * torch.optim.Adam without weight decay or amsgrad (betas 0.9 / 0.999, eps 1e-8), one instance per
 * parameter tensor, state in float64: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, p -= lr / (1 -
 * b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps) (torch.optim.adam._single_tensor_adam).
 */
final class Adam {

    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-8;

    private final double[] m;
    private final double[] v;
    private int step;

    Adam(int size) {
        m = new double[size];
        v = new double[size];
    }

    /** Updates {@code param} in place from {@code grad} with learning rate {@code lr}. */
    void update(float[] param, float[] grad, double lr) {
        if (param.length != m.length || grad.length != m.length) {
            throw new IllegalArgumentException(
                    String.format(
                            "Adam state of %d values, got param %d and grad %d",
                            m.length, param.length, grad.length));
        }
        step++;
        double bc1 = 1 - Math.pow(BETA1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(BETA2, step));
        for (int i = 0; i < param.length; i++) {
            double g = grad[i];
            m[i] = BETA1 * m[i] + (1 - BETA1) * g;
            v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
            param[i] = (float) (param[i] - lr / bc1 * m[i] / (Math.sqrt(v[i]) / bc2Sqrt + EPS));
        }
    }
}
