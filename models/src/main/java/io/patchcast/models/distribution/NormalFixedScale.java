package io.patchcast.models.distribution;

import java.util.random.RandomGenerator;

/** Normal component with a fixed scale (uni2ts src/uni2ts/distribution/normal.py, 0.001). */
public final class NormalFixedScale {

    private NormalFixedScale() {}

    public static double cdf(double loc, double scale, double x) {
        return SpecialFunctions.normalCdf((x - loc) / scale);
    }

    public static double sample(RandomGenerator rng, double loc, double scale) {
        return loc + scale * rng.nextGaussian();
    }
}
