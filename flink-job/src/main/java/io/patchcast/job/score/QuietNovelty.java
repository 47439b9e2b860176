package io.patchcast.job.score;

import java.time.Duration;

/**
 * A series quieter than it has been all week: the spread (largest minus smallest value) of its last
 * {@code window} points is less than the smallest such spread of the last week divided by {@code 1 +
 * tolerance}. It catches what the other rules cannot, because nothing new happens: a metric that
 * normally bursts, spikes or swings goes flat (a host that stopped working, a batch job that no
 * longer runs, a disk that stopped writing, an exporter that repeats its last value). {@link
 * RangeNovelty}, {@link LevelNovelty} and {@link ShapeNovelty} look for values, levels and shapes not
 * seen before, and a flat stretch at an ordinary value is none of them; the forecast, for its part,
 * is the least surprised by a flat series.
 *
 * <p>The smallest spreads are kept per hour ({@link ScoreState#quietLow}, a {@link WeekOfHours} ring
 * of hourly buckets, whatever the series' step), the current hour excluded from the minimum it is
 * compared with, so the rule fires where the spread falls below the week's quietest (for the
 * rest of that hour), not for as long as it stays there. Nothing is novel before the series has a week of spreads ({@link
 * #MIN_SPAN} from its first point, or from its first point after a silence longer than a week),
 * nor when the week's smallest spread is 0 (a series that is sometimes constant is not
 * news when it is constant again).
 */
final class QuietNovelty {

    /**
     * Time from a series' first point before it can be quiet: a week, so that its quietest day of
     * the week is known (a shorter span measured worse on the NAB AWS files).
     */
    static final Duration MIN_SPAN = Duration.ofDays(7);

    private static final long MIN_BUCKETS = MIN_SPAN.toMillis() / WeekOfHours.BUCKET;

    private final int window;
    private final double tolerance;

    /**
     * @param window points whose spread is compared, at least 2
     * @param tolerance the spread must be below the week's smallest divided by {@code 1 + tolerance}; positive
     */
    QuietNovelty(int window, double tolerance) {
        this.window = RuleArgs.window("quiet", window, 2);
        this.tolerance = RuleArgs.tolerance("quiet", tolerance);
    }

    /** Frees the rule's state: it is off, and turning it on again starts it afresh (with its week). */
    static void clear(ScoreState s) {
        if (s.quietValues == null || s.quietValues.length > 0) { // null: restored from before the rule existed
            s.quietValues = new double[0];
            s.quietLow = new double[0];
            s.quietCount = 0;
        }
    }

    /** Whether the spread of the last {@code window} values, {@code value} included, is novel; then records it. */
    boolean observe(ScoreState s, long timestamp, double value) {
        long b = WeekOfHours.hour(timestamp);
        // first point, or restored with another window or from before the rule existed
        if (s.quietValues == null || s.quietValues.length != window || !WeekOfHours.isRing(s.quietLow)) {
            s.quietValues = new double[window];
            s.quietCount = 0;
            s.quietLow = WeekOfHours.empty();
            s.quietFirstBucket = b;
            s.quietNewestBucket = b;
        }
        if (b > s.quietNewestBucket) {
            // after a silence longer than the history: a week of spreads again first
            s.quietFirstBucket = WeekOfHours.firstAfter(s.quietFirstBucket, s.quietNewestBucket, b);
            WeekOfHours.advance(s.quietNewestBucket, b, s.quietLow);
            s.quietNewestBucket = b;
        } else if (WeekOfHours.tooOld(b, s.quietNewestBucket)) {
            return false; // older than the ring: neither compared nor recorded
        }
        s.quietValues[(int) (s.quietCount % window)] = value;
        s.quietCount++;
        if (s.quietCount < window) {
            return false; // no full stretch yet: its spread would be small for want of points
        }
        double hi = Double.NEGATIVE_INFINITY;
        double lo = Double.POSITIVE_INFINITY;
        for (double v : s.quietValues) {
            hi = Math.max(hi, v);
            lo = Math.min(lo, v);
        }
        double spread = hi - lo;
        double weekLow = Double.POSITIVE_INFINITY;
        // the hours before b that the ring still holds (a late point's b may lag the newest hour)
        for (long c = WeekOfHours.oldestBefore(b, s.quietNewestBucket); c < b; c++) {
            double m = s.quietLow[WeekOfHours.slot(c)];
            if (!Double.isNaN(m)) {
                weekLow = Math.min(weekLow, m);
            }
        }
        boolean novel = b - s.quietFirstBucket >= MIN_BUCKETS && weekLow > 0 && weekLow < Double.POSITIVE_INFINITY
                && spread * (1 + tolerance) < weekLow;
        int k = WeekOfHours.slot(b);
        s.quietLow[k] = Double.isNaN(s.quietLow[k]) ? spread : Math.min(s.quietLow[k], spread);
        return novel;
    }
}
