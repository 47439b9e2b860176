package io.patchcast.job.score;

import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.patch.PatchPoint;
import io.patchcast.models.api.PredictiveDistribution;

/**
 * Scores an observed point against the predictive distribution of its step.
 *
 * <p>The two-sided tail probability of the value goes through {@link SurpriseLikelihood} (recent
 * surprise against the series' own history) to give the score in [0, 1]; {@code flagged} = score >=
 * the configured threshold. [lower, upper] is the central interval at {@code level}, for display.
 * Warm-up points (no forecast) score 0 and are never flagged.
 */
public final class AnomalyScorer {

    private final double level;
    private final double threshold;
    private final double lowerP;
    private final double upperP;
    private final SurpriseLikelihood likelihood;

    public AnomalyScorer(ScoreConfig config) {
        this.level = config.level();
        this.threshold = config.threshold();
        this.lowerP = (1 - level) / 2;
        this.upperP = (1 + level) / 2;
        this.likelihood = new SurpriseLikelihood(config);
    }

    public double level() {
        return level;
    }

    /** Scores one point; updates the series' surprise history in {@code s}. */
    public ScoredPoint score(ScoreState s, PatchPoint p, ForecastResult f) {
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
        double tail = d.tailProbability(p.value());
        double score = likelihood.update(s, Double.isNaN(tail) ? 1.0 : tail);
        boolean flagged = score >= threshold;
        return new ScoredPoint(p.seriesKey(), p.timestamp(), p.value(), d.quantile(0.5), lower, upper,
                level, score, flagged, false, f.model(), f.modelVersion());
    }
}
