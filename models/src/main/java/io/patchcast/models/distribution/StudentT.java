package io.patchcast.models.distribution;

import java.util.random.RandomGenerator;

/**
 * Student-T component (uni2ts src/uni2ts/distribution/student_t.py, torch.distributions.StudentT):
 * df = 2 + softplus, scale = max(softplus, eps), spec §8.
 */
public final class StudentT {

    private StudentT() {}

    /** df > 2 always, so the mean is loc. */
    public static double mean(double df, double loc, double scale) {
        return loc;
    }

    public static double cdf(double df, double loc, double scale, double x) {
        double t = (x - loc) / scale;
        double tail = 0.5 * SpecialFunctions.incompleteBeta(df / (df + t * t), df / 2, 0.5);
        return t > 0 ? 1 - tail : tail;
    }

    /** torch: loc + scale * Z / sqrt(chi2(df) / df), chi2(df) = 2 Gamma(df / 2). */
    public static double sample(RandomGenerator rng, double df, double loc, double scale) {
        double z = rng.nextGaussian();
        double chi2 = 2 * Samplers.gamma(rng, df / 2);
        return loc + scale * z / Math.sqrt(chi2 / df);
    }
}
