package io.patchcast.job.score;

import java.time.Duration;

/**
 * How points are scored and flagged.
 *
 * @param method {@link Method#LIKELIHOOD} (default) or {@link Method#TAIL}
 * @param level central interval reported as [lower, upper] (e.g. 0.99)
 * @param threshold a point is flagged when its anomaly score is at least this
 * @param shortWindow points whose surprise is averaged (the current one and the ones before it)
 * @param history span, in points, of the exponentially weighted mean and variance of the averaged
 *     surprise that the current average is compared with
 * @param surprisePower {@link SurpriseLikelihood}: the averaged surprise is raised to this power, in
 *     (0, 1], before it is compared with its history (1 = as it is; 0.5 = its square root, which
 *     shortens the long right tail of surprise so the normal approximation of the comparison holds)
 * @param seasonalTolerance {@link SeasonalSurprise}: surprise within this of the same time one day or
 *     one week earlier is discounted; {@link Duration#ZERO} turns the discount off
 * @param rangeTolerance {@link RangeNovelty}: after warm-up, a value further outside the range of all
 *     earlier values than this fraction of the range scores 1; 0 turns the rule off
 * @param levelWindow {@link LevelNovelty}: points averaged into the series' level
 * @param levelTolerance {@link LevelNovelty}: after warm-up, a level further outside the range of the
 *     last week's levels than this fraction of that range scores 1; 0 turns the rule off
 * @param shapeWindow {@link ShapeNovelty}: points in the stretches whose shapes are compared
 * @param shapeTolerance {@link ShapeNovelty}: after warm-up, a stretch further from every earlier one of
 *     the last week than {@code 1 + shapeTolerance} times the largest such distance of the week scores 1;
 *     0 turns the rule off
 * @param quietWindow {@link QuietNovelty}: points whose spread (largest minus smallest value) is compared
 * @param quietTolerance {@link QuietNovelty}: after a series' first week, a spread of its last {@code
 *     quietWindow} values below the smallest such spread of the last week divided by {@code 1 +
 *     quietTolerance} scores 1; 0 turns the rule off
 * @param noveltyHold points after a rule fires during which the rules firing again do not score 1
 *     (those points score by their surprise): a level shift the rules see for hours scores 1 once, at
 *     its start; 0 = every point a rule fires on scores 1
 */
public record ScoreConfig(Method method, double level, double threshold, int shortWindow, int history,
        double surprisePower, Duration seasonalTolerance, double rangeTolerance, int levelWindow, double levelTolerance,
        int shapeWindow, double shapeTolerance, int quietWindow, double quietTolerance, int noveltyHold)
        implements java.io.Serializable {

    /** Points with a forecast before a series' scores can flag: the history needs this many to mean anything. */
    public static final int MIN_HISTORY = 64;

    /** What the anomaly score is. */
    public enum Method {
        /** 1 - two-sided tail probability of the point alone: 0.99 at the edge of the 99 % interval. */
        TAIL,
        /** {@link SurpriseLikelihood}: recent surprise compared with the series' own history. */
        LIKELIHOOD
    }

    /** The per-point tail score flagged outside the central interval at {@code level}. */
    public static ScoreConfig tail(double level) {
        return new ScoreConfig(Method.TAIL, level, level, 1, 2, 1.0, Duration.ZERO, 0, 1, 0, 2, 0, 2, 0, 0);
    }

    /**
     * The likelihood score of the surprise as it is (power 1) with the seasonal discount, the range,
     * level, shape and quiet rules and the novelty hold all off; change them with the {@code with...} methods.
     */
    public static ScoreConfig likelihood(double level, double threshold, int shortWindow, int history) {
        return new ScoreConfig(Method.LIKELIHOOD, level, threshold, shortWindow, history, 1.0, Duration.ZERO, 0, 1, 0,
                2, 0, 2, 0, 0);
    }

    /** This configuration with the averaged surprise raised to {@code power} before the comparison (1 = as it is). */
    public ScoreConfig withSurprisePower(double power) {
        return new ScoreConfig(method, level, threshold, shortWindow, history, power, seasonalTolerance,
                rangeTolerance, levelWindow, levelTolerance, shapeWindow, shapeTolerance,
                quietWindow, quietTolerance, noveltyHold);
    }

    /** This configuration with the seasonal discount at {@code tolerance} ({@link Duration#ZERO} = off). */
    public ScoreConfig withSeasonalTolerance(Duration tolerance) {
        return new ScoreConfig(method, level, threshold, shortWindow, history, surprisePower, tolerance,
                rangeTolerance, levelWindow, levelTolerance, shapeWindow, shapeTolerance,
                quietWindow, quietTolerance, noveltyHold);
    }

    /** This configuration with the range rule at {@code tolerance} (0 = off). */
    public ScoreConfig withRangeTolerance(double tolerance) {
        return new ScoreConfig(method, level, threshold, shortWindow, history, surprisePower, seasonalTolerance,
                tolerance, levelWindow, levelTolerance, shapeWindow, shapeTolerance,
                quietWindow, quietTolerance, noveltyHold);
    }

    /** This configuration with the level rule over {@code window} points at {@code tolerance} (0 = off). */
    public ScoreConfig withLevelRule(int window, double tolerance) {
        return new ScoreConfig(method, level, threshold, shortWindow, history, surprisePower, seasonalTolerance,
                rangeTolerance, window, tolerance, shapeWindow, shapeTolerance,
                quietWindow, quietTolerance, noveltyHold);
    }

    /** This configuration with the shape rule over stretches of {@code window} points at {@code tolerance} (0 = off). */
    public ScoreConfig withShapeRule(int window, double tolerance) {
        return new ScoreConfig(method, level, threshold, shortWindow, history, surprisePower, seasonalTolerance,
                rangeTolerance, levelWindow, levelTolerance, window, tolerance,
                quietWindow, quietTolerance, noveltyHold);
    }

    /** This configuration with the quiet rule over the last {@code window} points at {@code tolerance} (0 = off). */
    public ScoreConfig withQuietRule(int window, double tolerance) {
        return new ScoreConfig(method, level, threshold, shortWindow, history, surprisePower, seasonalTolerance,
                rangeTolerance, levelWindow, levelTolerance, shapeWindow, shapeTolerance,
                window, tolerance, noveltyHold);
    }

    /** This configuration with the novelty hold at {@code points} (0 = off). */
    public ScoreConfig withNoveltyHold(int points) {
        return new ScoreConfig(method, level, threshold, shortWindow, history, surprisePower, seasonalTolerance,
                rangeTolerance, levelWindow, levelTolerance, shapeWindow, shapeTolerance,
                quietWindow, quietTolerance, points);
    }

    public ScoreConfig {
        java.util.Objects.requireNonNull(method, "method");
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("level must be in (0, 1), got " + level);
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
        }
        if (shortWindow < 1 || shortWindow > 64) {
            throw new IllegalArgumentException("shortWindow must be in [1, 64], got " + shortWindow);
        }
        if (history < 2) {
            throw new IllegalArgumentException("history must be at least 2 points, got " + history);
        }
        if (!(surprisePower > 0 && surprisePower <= 1)) {
            throw new IllegalArgumentException("surprisePower must be in (0, 1], got " + surprisePower);
        }
        java.util.Objects.requireNonNull(seasonalTolerance, "seasonalTolerance");
        if (!seasonalTolerance.isZero()) {
            SeasonalSurprise.checkTolerance(seasonalTolerance);
        }
        if (!(rangeTolerance >= 0 && rangeTolerance <= 10)) {
            throw new IllegalArgumentException("rangeTolerance must be in [0, 10] (0 = off), got " + rangeTolerance);
        }
        if (levelWindow < 1 || levelWindow > 10_000) {
            throw new IllegalArgumentException("levelWindow must be in [1, 10000] points, got " + levelWindow);
        }
        if (!(levelTolerance >= 0 && levelTolerance <= 10)) {
            throw new IllegalArgumentException("levelTolerance must be in [0, 10] (0 = off), got " + levelTolerance);
        }
        if (shapeWindow < 2 || shapeWindow > 288) {
            throw new IllegalArgumentException("shapeWindow must be in [2, 288] points, got " + shapeWindow);
        }
        if (!(shapeTolerance >= 0 && shapeTolerance <= 10)) {
            throw new IllegalArgumentException("shapeTolerance must be in [0, 10] (0 = off), got " + shapeTolerance);
        }
        if (quietWindow < 2 || quietWindow > 10_000) {
            throw new IllegalArgumentException("quietWindow must be in [2, 10000] points, got " + quietWindow);
        }
        if (!(quietTolerance >= 0 && quietTolerance <= 100)) {
            throw new IllegalArgumentException("quietTolerance must be in [0, 100] (0 = off), got " + quietTolerance);
        }
        if (noveltyHold < 0 || noveltyHold > 100_000) {
            throw new IllegalArgumentException("noveltyHold must be in [0, 100000] points (0 = off), got " + noveltyHold);
        }
    }
}
