package io.patchcast.job.score;

import io.patchcast.models.distribution.SpecialFunctions;

/**
 * Turns per-point tail probabilities into an anomaly score that compares recent surprise with the
 * series' own history (the idea of HTM's anomaly likelihood, numenta/NAB's best-known detector):
 *
 * <ol>
 *   <li>surprise u = -ln(tail probability of the value under its predictive distribution), capped at
 *       {@link #MAX_SURPRISE}, and discounted by {@link SeasonalSurprise} where the same time one day
 *       or one week earlier was as surprising (unless the seasonal tolerance is 0);</li>
 *   <li>m = mean surprise of the last {@code shortWindow} points, so one odd point weighs less than a
 *       run of them, raised to {@code surprisePower} (0.5: its square root). Surprise has a long right
 *       tail (for a well-calibrated forecast it is exponentially distributed), so a z-score of m
 *       itself makes an ordinary big surprise look like many standard deviations; the root shortens
 *       that tail and the normal approximation below holds better;</li>
 *   <li>z = (m - mean) / std, mean and variance being exponentially weighted over {@code history}
 *       points of past m: a series whose forecasts are always a bit off is not always anomalous, and
 *       after a level shift the history absorbs the new surprise level instead of flagging for hours;</li>
 *   <li>score = x / (x + 10) with x = -log10(P(Z > z)) for a standard normal Z, so it stays in [0, 1):
 *       0.20 means about one chance in 300, 0.25 one in 2,000, 0.5 one in 10^10.</li>
 * </ol>
 *
 * Until a series has {@link ScoreConfig#MIN_HISTORY} scored points the score is 0 (warm-up).
 */
public final class SurpriseLikelihood {

    /** Surprise of a tail probability of 1e-12 and below. */
    public static final double MAX_SURPRISE = -Math.log(1e-12);

    /**
     * Lower bound of the history's standard deviation (of the powered surprise), so a very regular
     * series is not over-sensitive.
     */
    public static final double MIN_STD = 0.1;

    private final int shortWindow;
    private final double power;
    private final double alpha;
    private final SeasonalSurprise seasonal;

    public SurpriseLikelihood(ScoreConfig config) {
        this.shortWindow = config.shortWindow();
        this.power = config.surprisePower();
        this.alpha = 2.0 / (config.history() + 1.0);
        this.seasonal = config.seasonalTolerance().isZero() ? null : new SeasonalSurprise(config.seasonalTolerance());
    }

    public static double surprise(double tailProbability) {
        return Math.min(MAX_SURPRISE, -Math.log(Math.max(tailProbability, 1e-300)));
    }

    /** Adds the tail probability of the point at {@code timestamp} to the state and returns its anomaly score in [0, 1]. */
    public double update(ScoreState s, long timestamp, double tailProbability) {
        if (s.recentSurprise.length != shortWindow) {
            // restored with another short window: the history describes means over the old window
            // (a shorter window's means spread wider), so it is rebuilt, warm-up included
            s.recentSurprise = new double[shortWindow];
            s.recentCount = 0;
            s.historyCount = 0;
        }
        if (s.historyPower != power) {
            // restored with another power (or from before the option, 0: the history is of m itself
            // then, as with power 1): the history describes other values, so it is rebuilt
            if (!(s.historyPower == 0 && power == 1.0)) {
                s.historyCount = 0;
            }
            s.historyPower = power;
        }
        double u = surprise(tailProbability);
        if (seasonal != null) {
            u = seasonal.discount(s, timestamp, u);
        }
        s.recentSurprise[(int) (s.recentCount % shortWindow)] = u;
        s.recentCount++;
        double m = ScoreState.ringMean(s.recentSurprise, s.recentCount);
        if (power != 1.0) {
            m = Math.pow(Math.max(0.0, m), power); // surprise >= 0; max() keeps a -0.0 or rounding out of pow
        }
        double score = 0;
        if (s.historyCount >= ScoreConfig.MIN_HISTORY) {
            double std = Math.max(MIN_STD, Math.sqrt(s.historyVar));
            score = scoreOf((m - s.historyMean) / std);
        }
        if (s.historyCount == 0) {
            s.historyMean = m;
            s.historyVar = 0;
        } else {
            double a = Math.max(alpha, 1.0 / (s.historyCount + 1)); // plain mean while history is short
            double d = m - s.historyMean;
            s.historyMean += a * d;
            s.historyVar = (1 - a) * (s.historyVar + a * d * d);
        }
        s.historyCount++;
        return score;
    }

    /** x / (x + 10) with x = -log10(P(Z > z)): 0.5 at one chance in 10^10, below 1 for any finite z. */
    static double scoreOf(double z) {
        double upper = 0.5 * SpecialFunctions.erfc(z / Math.sqrt(2));
        double x = upper > 0 ? -Math.log10(upper) : 300;
        return Math.max(0.0, x / (x + 10));
    }
}
