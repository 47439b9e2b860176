package io.patchcast.models.distribution;

import java.util.random.RandomGenerator;

/**
 * Negative binomial component (uni2ts src/uni2ts/distribution/negative_binomial.py): total_count r
 * = softplus (may be 0), logits l raw, p = sigmoid(l); mean r e^l; sampled as Poisson(Gamma(r, rate
 * e^-l)) (spec §8.2).
 */
public final class NegativeBinomial {

    private NegativeBinomial() {}

    public static double mean(double totalCount, double logits) {
        return totalCount * Math.exp(logits);
    }

    /** P(N <= x) = I_{1-p}(r, floor(x) + 1); a point mass at 0 when r == 0. */
    public static double cdf(double totalCount, double logits, double x) {
        if (x < 0) {
            return 0;
        }
        if (!(totalCount > 0)) {
            return 1;
        }
        double k = Math.floor(x);
        // 1 - p = sigmoid(-logits)
        double q = 1 / (1 + Math.exp(logits));
        return SpecialFunctions.incompleteBeta(q, totalCount, k + 1);
    }

    public static double sample(RandomGenerator rng, double totalCount, double logits) {
        double lambda = Samplers.gamma(rng, totalCount) * Math.exp(logits);
        return Samplers.poisson(rng, lambda);
    }
}
