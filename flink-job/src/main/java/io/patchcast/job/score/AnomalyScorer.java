package io.patchcast.job.score;

import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.patch.PatchPoint;
import io.patchcast.models.api.PredictiveDistribution;

/**
 * Scores an observed point against the predictive distribution of its step.
 *
 * <p>{@link ScoreConfig.Method#LIKELIHOOD}: the two-sided tail probability of the value goes
 * through {@link SurpriseLikelihood} (recent surprise against the series' own history) to give the
 * score in [0, 1], and a value beyond the range of all earlier ones ({@link RangeNovelty}), a level
 * beyond the last week's ({@link LevelNovelty}), a shape unlike the last week's ({@link
 * ShapeNovelty}) or a stretch quieter than any of the last week's ({@link QuietNovelty}; off by
 * default), each unless its tolerance is 0, scores 1
 * once the series is past warm-up, unless a rule already fired within the last {@code noveltyHold}
 * points (then the point keeps its likelihood score: one level shift scores 1 once, not for hours,
 * while the rules go on seeing it); {@code flagged} = score >= the configured threshold. {@link
 * ScoreConfig.Method#TAIL}: score = 1 - tail probability (DESIGN.md), flagged = outside the central
 * interval at {@code level}. [lower, upper] is always the central interval at {@code level}.
 * Warm-up points (no forecast) score 0 and are never flagged.
 */
public final class AnomalyScorer {

    private final double level;
    private final double threshold;
    private final double lowerP;
    private final double upperP;
    private final SurpriseLikelihood likelihood;
    private final RangeNovelty range;
    private final LevelNovelty levelRule;
    private final ShapeNovelty shapeRule;
    private final QuietNovelty quietRule;
    private final int noveltyHold;

    public AnomalyScorer(ScoreConfig config) {
        this.level = config.level();
        this.threshold = config.threshold();
        this.lowerP = (1 - level) / 2;
        this.upperP = (1 + level) / 2;
        this.likelihood = config.method() == ScoreConfig.Method.LIKELIHOOD ? new SurpriseLikelihood(config) : null;
        this.range = likelihood != null && config.rangeTolerance() > 0 ? new RangeNovelty(config.rangeTolerance()) : null;
        this.levelRule = likelihood != null && config.levelTolerance() > 0
                ? new LevelNovelty(config.levelWindow(), config.levelTolerance()) : null;
        this.shapeRule = likelihood != null && config.shapeTolerance() > 0
                ? new ShapeNovelty(config.shapeWindow(), config.shapeTolerance()) : null;
        this.quietRule = likelihood != null && config.quietTolerance() > 0
                ? new QuietNovelty(config.quietWindow(), config.quietTolerance()) : null;
        this.noveltyHold = config.noveltyHold();
    }

    public double level() {
        return level;
    }

    /** Scores one point; updates the series' surprise history in {@code s}. */
    public ScoredPoint score(ScoreState s, PatchPoint p, ForecastResult f) {
        boolean novel = range != null && range.observe(s, p.value());
        if (range == null && likelihood != null) {
            RangeNovelty.widen(s, p.value()); // two doubles: current if the rule is turned on again
        }
        if (levelRule != null) {
            novel |= levelRule.observe(s, p.timestamp(), p.value()); // each rule on sees every value
        } else {
            LevelNovelty.clear(s); // 3 KB a series; turned on again, the rule starts afresh
        }
        if (shapeRule != null) {
            novel |= shapeRule.observe(s, p.value());
        } else {
            ShapeNovelty.clear(s); // 16 KB a series that an off rule does not keep
        }
        if (quietRule != null) {
            novel |= quietRule.observe(s, p.timestamp(), p.value());
        } else {
            QuietNovelty.clear(s);
        }
        if (s.sinceNovel < Integer.MAX_VALUE) {
            s.sinceNovel++;
        }
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
        if (Double.isNaN(tail)) {
            tail = 1.0; // unreachable for finite values; never emit NaN
        }
        double score;
        boolean historyWarmup = false;
        if (likelihood != null) {
            boolean warm = s.historyCount < ScoreConfig.MIN_HISTORY;
            score = likelihood.update(s, p.timestamp(), tail);
            historyWarmup = s.historyCount <= ScoreConfig.MIN_HISTORY; // the likelihood did not score it
            if (novel && !warm) {
                if (s.sinceNovel > noveltyHold) {
                    score = 1.0;
                }
                s.sinceNovel = 0;
            }
        } else {
            score = Math.min(1.0, Math.max(0.0, 1.0 - tail));
        }
        boolean flagged = likelihood != null ? score >= threshold : p.value() < lower || p.value() > upper;
        return new ScoredPoint(p.seriesKey(), p.timestamp(), p.value(), d.quantile(0.5), lower, upper,
                level, score, flagged, false, f.model(), f.modelVersion(), historyWarmup);
    }
}
