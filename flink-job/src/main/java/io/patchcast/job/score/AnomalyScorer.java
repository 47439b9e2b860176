package io.patchcast.job.score;

import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.patch.PatchPoint;
import io.patchcast.models.api.PredictiveDistribution;

/**
 * Scores an observed point against the predictive distribution of its step.
 *
 * <p>score = 1 - two-sided tail probability of the value (DESIGN.md): 0 at the median, 0.99 at the
 * edge of the 99 % central interval, approaching 1 for values far outside. {@code flagged} = the
 * value lies outside the central interval at {@code level}. Warm-up points (no forecast) score 0
 * and are never flagged.
 */
public final class AnomalyScorer {

    private final double level;
    private final double lowerP;
    private final double upperP;

    public AnomalyScorer(double level) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("flag level must be in (0, 1), got " + level);
        }
        this.level = level;
        this.lowerP = (1 - level) / 2;
        this.upperP = (1 + level) / 2;
    }

    public double level() {
        return level;
    }

    public ScoredPoint score(PatchPoint p, ForecastResult f) {
        if (f == null || !p.expectForecast()) {
            return ScoredPoint.warmup(p, level);
        }
        if (p.stepIndex() >= f.horizon()) {
            throw new IllegalStateException(String.format(
                    "point %d of %s is step %d of its patch but the forecast has %d steps",
                    p.timestamp(), p.seriesKey(), p.stepIndex(), f.horizon()));
        }
        PredictiveDistribution d = f.forecast().step(p.stepIndex());
        double lower = d.quantile(lowerP);
        double upper = d.quantile(upperP);
        double score = 1.0 - d.tailProbability(p.value());
        if (!(score >= 0)) {
            score = 0; // unreachable for finite values; never emit NaN
        }
        score = Math.min(1.0, score);
        boolean flagged = p.value() < lower || p.value() > upper;
        return new ScoredPoint(p.seriesKey(), p.timestamp(), p.value(), d.quantile(0.5), lower, upper,
                level, score, flagged, false, f.model(), f.modelVersion());
    }
}
