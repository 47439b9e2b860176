package io.patchcast.job.score;

import io.patchcast.job.alert.AlertState;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.patch.PatchPoint;

/**
 * Keyed scoring state of one series (Flink POJO).
 *
 * <p>Points wait here, in arrival order, until the forecast of their patch is back from inference;
 * forecasts stay until no point within the allowed lateness can need them. The surprise fields are
 * {@link SurpriseLikelihood}'s and {@link SeasonalSurprise}'s, the range {@link RangeNovelty}'s, the
 * level {@link LevelNovelty}'s, the shape {@link ShapeNovelty}'s and the quiet {@link QuietNovelty}'s.
 */
public class ScoreState {
    public ForecastResult[] forecasts = new ForecastResult[0];
    public PatchPoint[] queue = new PatchPoint[0];
    public long maxTimestamp = Long.MIN_VALUE;
    public AlertState alert;
    /** Surprise of the last shortWindow scored points, ring indexed by {@code recentCount % shortWindow}. */
    public double[] recentSurprise = new double[0];
    public long recentCount;
    /** Scored points that fed the history so far. */
    public long historyCount;
    /** Exponentially weighted mean and variance of the short-window mean surprise raised to {@link #historyPower}. */
    public double historyMean;
    public double historyVar;
    /** The surprise power the history was built with; 0 in state from before the option (power 1 then). */
    public double historyPower;
    /** {@link SeasonalSurprise}'s ring: largest raw surprise per time bucket over the last week; empty when off. */
    public float[] seasonalMax = new float[0];
    /** Bucket index (time / bucket width) of the newest bucket in {@link #seasonalMax}. */
    public long seasonalNewestBucket;
    /** {@link RangeNovelty}'s range: smallest and largest value the series has shown; NaN before its first point. */
    public double rangeMin = Double.NaN;
    public double rangeMax = Double.NaN;
    /** {@link LevelNovelty}'s last values, ring indexed by {@code levelCount % window}. */
    public double[] levelRecent = new double[0];
    public long levelCount;
    /** {@link LevelNovelty}'s highest and lowest level per hour over the last week (NaN: no point in that hour). */
    public double[] levelHigh = new double[0];
    public double[] levelLow = new double[0];
    public long levelFirstBucket;
    public long levelNewestBucket;
    /** {@link ShapeNovelty}'s last values, ring indexed by {@code shapeCount % length}; empty while the rule is off. */
    public float[] shapeValues = new float[0];
    public long shapeCount;
    /** {@link ShapeNovelty}'s nearest-stretch distance of each of the last points, ring indexed by {@code count % length} like the values (NaN: none). */
    public float[] shapeDistances = new float[0];
    /** Distances the rule has computed so far (its warm-up). */
    public long shapeDistanceCount;
    /** {@link QuietNovelty}'s last values, ring indexed by {@code quietCount % window}; empty while the rule is off. */
    public double[] quietValues = new double[0];
    public long quietCount;
    /** {@link QuietNovelty}'s smallest spread per hour over the last week (NaN: none in that hour); empty while off. */
    public double[] quietLow = new double[0];
    public long quietFirstBucket;
    public long quietNewestBucket;
    /**
     * Points since a range, level, shape or quiet rule last fired past warm-up (the novelty hold), saturating; a
     * series starts far from any firing.
     */
    public int sinceNovel = Integer.MAX_VALUE;

    /** The series' step in ms as its last scored point gave it; 0 before the first. */
    public long stepMillis;
    /**
     * Event time of the timer that resolves a firing alert if the series goes quiet ({@link
     * ScoreFunction}); {@link Long#MIN_VALUE} when none is set.
     */
    public long quietTimer = Long.MIN_VALUE;

    public ScoreState() {}

    /**
     * Mean of a ring that has had {@code added} values written, each at index {@code k % ring.length}
     * for the k-th: the last {@code min(added, ring.length)} values.
     */
    static double ringMean(double[] ring, long added) {
        int n = (int) Math.min(added, ring.length);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += ring[i];
        }
        return sum / n;
    }
}
