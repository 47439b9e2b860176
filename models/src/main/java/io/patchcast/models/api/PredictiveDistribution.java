package io.patchcast.models.api;

/** The predictive distribution of one future step of one series. */
public interface PredictiveDistribution {

    /** Quantile at probability {@code p} in (0, 1). */
    double quantile(double p);

    /** P(X <= x); for a value on a point mass, the middle of the mass (so its tail is not tiny). */
    double cdf(double x);

    double mean();

    /** Two-sided tail probability of {@code x}: 2 min(F(x), 1 - F(x)), in [0, 1]. */
    default double tailProbability(double x) {
        double f = cdf(x);
        return Math.min(1.0, 2.0 * Math.min(f, 1.0 - f));
    }
}
