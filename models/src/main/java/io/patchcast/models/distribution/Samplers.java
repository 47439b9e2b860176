package io.patchcast.models.distribution;

import java.util.random.RandomGenerator;

/**
 * Random variates the mixture needs and java.util.random lacks: Gamma (Marsaglia-Tsang 2000, with
 * the U^(1/alpha) boost for alpha < 1) and Poisson (inversion for small means, Hormann's PTRS
 * transformed rejection for large ones, W. Hormann 1993). RNG streams never match torch, so the
 * samplers are checked statistically (spec §12.21).
 */
public final class Samplers {

    private Samplers() {}

    /** Gamma(shape, rate 1). Shape 0 or tiny gives values clamped to float's smallest normal. */
    public static double gamma(RandomGenerator rng, double shape) {
        if (!(shape > 0)) {
            return Float.MIN_NORMAL; // torch clamps gamma draws to finfo.tiny
        }
        if (shape < 1) {
            double u = rng.nextDouble();
            double g = gamma(rng, shape + 1) * Math.pow(u, 1 / shape);
            return Math.max(g, Float.MIN_NORMAL);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = rng.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) {
                return d * v;
            }
            if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /** Poisson(lambda) as a double (lambda can exceed the long range for heavy NegBin tails). */
    public static double poisson(RandomGenerator rng, double lambda) {
        if (!(lambda > 0)) {
            return 0;
        }
        if (lambda < 10) {
            double l = Math.exp(-lambda);
            double p = rng.nextDouble();
            double k = 0;
            double term = l;
            double cdf = term;
            while (p > cdf && k < 1000) {
                k++;
                term *= lambda / k;
                cdf += term;
            }
            return k;
        }
        if (lambda > 1e15) {
            // normal approximation: relative error of PTRS's log-factorial terms dominates here
            return Math.max(0, Math.rint(lambda + Math.sqrt(lambda) * rng.nextGaussian()));
        }
        // PTRS (Hormann 1993)
        double slam = Math.sqrt(lambda);
        double loglam = Math.log(lambda);
        double b = 0.931 + 2.53 * slam;
        double a = -0.059 + 0.02483 * b;
        double invalpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true) {
            double u = rng.nextDouble() - 0.5;
            double v = rng.nextDouble();
            double us = 0.5 - Math.abs(u);
            double k = Math.floor((2 * a / us + b) * u + lambda + 0.43);
            if (us >= 0.07 && v <= vr) {
                return k;
            }
            if (k < 0 || (us < 0.013 && v > us)) {
                continue;
            }
            if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b)
                    <= -lambda + k * loglam - SpecialFunctions.logGamma(k + 1)) {
                return k;
            }
        }
    }
}
