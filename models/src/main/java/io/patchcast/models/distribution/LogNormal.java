package io.patchcast.models.distribution;

import java.util.random.RandomGenerator;

/** Log-normal component (uni2ts src/uni2ts/distribution/log_normal.py): exp(N(loc, scale^2)). */
public final class LogNormal {

    private LogNormal() {}

    public static double mean(double loc, double scale) {
        return Math.exp(loc + scale * scale / 2);
    }

    public static double cdf(double loc, double scale, double x) {
        if (x <= 0) {
            return 0;
        }
        return SpecialFunctions.normalCdf((Math.log(x) - loc) / scale);
    }

    public static double sample(RandomGenerator rng, double loc, double scale) {
        return Math.exp(loc + scale * rng.nextGaussian());
    }
}
