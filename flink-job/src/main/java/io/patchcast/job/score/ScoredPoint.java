package io.patchcast.job.score;

import io.patchcast.job.patch.PatchPoint;

/**
 * The score of one observed point; one per accepted point.
 *
 * @param expected predictive median; NaN in warm-up
 * @param lower lower bound of the central interval at {@code level}; NaN in warm-up
 * @param upper upper bound; NaN in warm-up
 * @param score in [0, 1]; 0 in warm-up
 * @param warmup no forecast covered the point (the {@code warmup} field of the anomalies topic)
 * @param historyWarmup a forecast covered the point but the series' surprise history was still too
 *     short to score it (the LIKELIHOOD method's first {@value ScoreConfig#MIN_HISTORY} such points):
 *     score 0, never flagged, yet {@code warmup} false on the topic; not counted in {@code flagRate}
 */
public record ScoredPoint(
        String seriesKey,
        long timestamp,
        double value,
        double expected,
        double lower,
        double upper,
        double level,
        double score,
        boolean flagged,
        boolean warmup,
        String model,
        String modelVersion,
        boolean historyWarmup) {

    public static final String NO_MODEL = "none";

    static ScoredPoint warmup(PatchPoint p, double level) {
        return new ScoredPoint(p.seriesKey(), p.timestamp(), p.value(), Double.NaN, Double.NaN,
                Double.NaN, level, 0.0, false, true, NO_MODEL, "", false);
    }

    /** Whether the point could have been flagged: past both warm-ups ({@code flagRate} counts these). */
    public boolean scoredPastWarmup() {
        return !warmup && !historyWarmup;
    }

    public boolean insideInterval() {
        return !warmup && value >= lower && value <= upper;
    }
}
