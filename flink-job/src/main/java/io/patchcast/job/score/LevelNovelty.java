package io.patchcast.job.score;

import java.time.Duration;

/**
 * A level the series has not held over the last week: the mean of its last {@code window} values
 * further above the highest such mean of the last week (or further below the lowest)
 * than {@code tolerance} times the spread between them. {@link RangeNovelty} catches one value
 * beyond everything ever seen; this catches a sustained shift that stays inside the all-time range
 * but leaves the recent one (a service settling at a new load, a sensor drifting to a value it has
 * not read for weeks).
 *
 * <p>The recent means are kept per hour ({@link ScoreState#levelHigh} and {@link
 * ScoreState#levelLow}, {@link WeekOfHours} rings of hourly buckets, whatever the series' step),
 * the current hour excluded from the range it is compared with. Nothing is novel in the first
 * {@link #MIN_SPAN} of a series, or after a silence longer than a week (whose levels are
 * all gone: a few hours would make a narrow range), nor while the recent means are all equal.
 */
final class LevelNovelty {

    /** Time from a series' first point before its level can be novel. */
    static final Duration MIN_SPAN = Duration.ofDays(1);

    private static final long MIN_BUCKETS = MIN_SPAN.toMillis() / WeekOfHours.BUCKET;

    private final int window;
    private final double tolerance;

    /**
     * @param window points averaged into the level, at least 1
     * @param tolerance fraction of the recent means' spread the level must lie beyond it, positive
     */
    LevelNovelty(int window, double tolerance) {
        this.window = RuleArgs.window("level", window, 1);
        this.tolerance = RuleArgs.tolerance("level", tolerance);
    }

    /**
     * Frees the rule's state: it is off, and turning it on again starts it afresh, with its first
     * day (its hourly levels would otherwise be those of before it was turned off, and its window
     * would mix values from before and after).
     */
    static void clear(ScoreState s) {
        if (s.levelRecent == null || s.levelRecent.length > 0 || s.levelHigh == null || s.levelHigh.length > 0) {
            s.levelRecent = new double[0];
            s.levelCount = 0;
            s.levelHigh = new double[0];
            s.levelLow = new double[0];
        }
    }

    /** Whether the level including {@code value} lies beyond the recent range; then records it. */
    boolean observe(ScoreState s, long timestamp, double value) {
        if (s.levelRecent == null || s.levelRecent.length != window) { // null: restored from before the rule
            s.levelRecent = new double[window];
            s.levelCount = 0;
            s.levelHigh = new double[0];
        }
        s.levelRecent[(int) (s.levelCount % window)] = value;
        s.levelCount++;
        double level = ScoreState.ringMean(s.levelRecent, s.levelCount);

        long b = WeekOfHours.hour(timestamp);
        if (!WeekOfHours.isRing(s.levelHigh) || !WeekOfHours.isRing(s.levelLow)) {
            s.levelHigh = WeekOfHours.empty();
            s.levelLow = WeekOfHours.empty();
            s.levelFirstBucket = b;
            s.levelNewestBucket = b;
        }
        if (b > s.levelNewestBucket) {
            // after a silence longer than the history: a day of levels again first
            s.levelFirstBucket = WeekOfHours.firstAfter(s.levelFirstBucket, s.levelNewestBucket, b);
            WeekOfHours.advance(s.levelNewestBucket, b, s.levelHigh, s.levelLow);
            s.levelNewestBucket = b;
        } else if (WeekOfHours.tooOld(b, s.levelNewestBucket)) {
            return false; // older than the ring: neither compared nor recorded
        }
        double hi = Double.NEGATIVE_INFINITY;
        double lo = Double.POSITIVE_INFINITY;
        // the hours before b that the ring still holds (a late point's b may lag the newest hour)
        for (long c = WeekOfHours.oldestBefore(b, s.levelNewestBucket); c < b; c++) {
            double h = s.levelHigh[WeekOfHours.slot(c)];
            if (!Double.isNaN(h)) {
                hi = Math.max(hi, h);
                lo = Math.min(lo, s.levelLow[WeekOfHours.slot(c)]);
            }
        }
        boolean novel = false;
        if (b - s.levelFirstBucket >= MIN_BUCKETS && hi > lo) {
            double margin = tolerance * (hi - lo);
            novel = level > hi + margin || level < lo - margin;
        }
        int k = WeekOfHours.slot(b);
        s.levelHigh[k] = Double.isNaN(s.levelHigh[k]) ? level : Math.max(s.levelHigh[k], level);
        s.levelLow[k] = Double.isNaN(s.levelLow[k]) ? level : Math.min(s.levelLow[k], level);
        return novel;
    }
}
