package io.patchcast.job.score;

/**
 * A shape the series has not shown lately: the stretch of its last {@code window} values is further
 * from every earlier stretch of as many values among its last {@link #HISTORY} points than {@code 1 +
 * tolerance} times the largest such nearest-stretch distance of the {@link #HISTORY} points before.
 * {@link RangeNovelty} and {@link LevelNovelty} catch values and levels the series has not shown;
 * this catches a change of shape that stays inside both: a daily peak at half its height, a
 * periodic load that stops half-way, a square wave that goes flat at a level it usually passes
 * through. A change to a shape seen elsewhere in the week (a missing peak when the series is as
 * flat every night) is not novel. It is the left "discord" of the matrix-profile literature (the
 * distance from the newest subsequence to its nearest neighbour in the past), compared with its own
 * recent history rather than with a fixed threshold, so it needs no scale.
 *
 * <p>The distance between two stretches is the root mean square of their pointwise differences; the
 * stretches compared with the newest one do not overlap it. Nothing is novel before the series has
 * {@link #MIN_DISTANCES} distances, nor while every distance so far is 0 (a series that only repeats
 * itself). The state is the last {@link #HISTORY} + {@code window} values and the last {@link
 * #HISTORY} distances, as floats in {@link ScoreState}: 16 KB per series at the default window. The
 * distances of a series' first days (its shapes seen for the first time, far from everything) stay in
 * the comparison for a week, so the rule is less sensitive until they have left it.
 * The search costs about {@link #HISTORY} times {@code window} multiply-adds per point, less where a
 * candidate is abandoned as soon as it is further than the nearest so far.
 */
final class ShapeNovelty {

    /**
     * Points searched for the nearest earlier stretch, and whose distances the newest is compared
     * with: a week of 5-minute points.
     */
    static final int HISTORY = 2016;

    /** Distances the series must have before its shape can be novel: a day of 5-minute points. */
    static final int MIN_DISTANCES = 288;

    private final int window;
    private final double tolerance;

    /**
     * @param window points in a stretch, at least 2
     * @param tolerance fraction by which the nearest-stretch distance must exceed the recent largest one, positive
     */
    ShapeNovelty(int window, double tolerance) {
        this.window = RuleArgs.window("shape", window, 2);
        this.tolerance = RuleArgs.tolerance("shape", tolerance);
    }

    /** Frees the rule's state: it is off, and turning it on again starts it afresh (with its warm-up). */
    static void clear(ScoreState s) {
        if (s.shapeValues == null || s.shapeValues.length > 0) { // null: restored from before the rule existed
            s.shapeValues = new float[0];
            s.shapeDistances = new float[0];
            s.shapeCount = 0;
            s.shapeDistanceCount = 0;
        }
    }

    /** Whether the stretch ending with {@code value} is novel; then records the value and its distance. */
    boolean observe(ScoreState s, double value) {
        int len = HISTORY + window;
        // first point, or restored with another window or from before the rule existed
        if (s.shapeValues == null || s.shapeValues.length != len) {
            s.shapeValues = new float[len];
            s.shapeDistances = new float[HISTORY];
            s.shapeCount = 0;
            s.shapeDistanceCount = 0;
        }
        long k = s.shapeCount; // index of this value in the series
        s.shapeValues[slot(k, len)] = (float) value;
        s.shapeCount++;
        float d = nearest(s.shapeValues, k, len);

        // the ring holds the distances of points k - HISTORY .. k - 1 (NaN: none yet)
        double recentMax = Double.NEGATIVE_INFINITY;
        int held = (int) Math.min(k, HISTORY);
        for (int i = 1; i <= held; i++) {
            float r = s.shapeDistances[slot(k - i, HISTORY)];
            if (r > recentMax) {
                recentMax = r;
            }
        }
        s.shapeDistances[slot(k, HISTORY)] = d;
        if (Float.isNaN(d)) {
            return false;
        }
        s.shapeDistanceCount++;
        return s.shapeDistanceCount > MIN_DISTANCES && recentMax > 0 && d > (1 + tolerance) * recentMax;
    }

    /**
     * Root-mean-square distance from the stretch ending at value {@code k} to the nearest earlier
     * stretch that does not overlap it and starts at most {@link #HISTORY} points before it; NaN when
     * there is none yet.
     */
    private float nearest(float[] ring, long k, int len) {
        long start = k - window + 1;
        long last = start - window; // latest candidate start that does not overlap
        long first = Math.max(0, start - HISTORY);
        if (start < 0 || last < first) {
            return Float.NaN;
        }
        double[] current = new double[window];
        int c = slot(start, len);
        for (int t = 0; t < window; t++) {
            current[t] = ring[c];
            c = c + 1 == len ? 0 : c + 1;
        }
        double best = Double.POSITIVE_INFINITY;
        for (long j = first; j <= last; j++) {
            double sum = 0;
            int p = slot(j, len);
            for (int t = 0; t < window && sum < best; t++) {
                double diff = ring[p] - current[t];
                sum += diff * diff;
                p = p + 1 == len ? 0 : p + 1;
            }
            if (sum < best) {
                best = sum;
            }
        }
        return (float) Math.sqrt(best / window);
    }

    private static int slot(long index, int len) {
        return (int) (index % len);
    }
}
