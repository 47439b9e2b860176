package io.patchcast.job.score;

/**
 * A value beyond everything the series has shown: further above the largest value seen so far, or
 * further below the smallest, than {@code tolerance} times the range between them. This is the
 * "spatial" rule of HTM's NAB detector; it catches a jump to a level the series never reached even
 * when the forecast's interval is wide enough to call it ordinary (a daily square wave whose peak
 * doubles, a sensor falling to a value it never read before).
 *
 * <p>Every value of the series widens the range, warm-up points included; a series with a single
 * distinct value so far has no range and nothing is novel. The state is two doubles in {@link
 * ScoreState}, kept current while the rule is off ({@link #widen}).
 */
final class RangeNovelty {

    private final double tolerance;

    /** @param tolerance fraction of the range a value must lie beyond it, positive */
    RangeNovelty(double tolerance) {
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("range tolerance must be positive, got " + tolerance);
        }
        this.tolerance = tolerance;
    }

    /**
     * Adds {@code value} to the range without judging it: the rule is off, but its range stays
     * current, so turning the rule on again (a restore with another configuration) does not compare
     * with the range of a past time and page for every series at once.
     */
    static void widen(ScoreState s, double value) {
        if (Double.isNaN(s.rangeMin)) {
            s.rangeMin = value;
            s.rangeMax = value;
        } else {
            s.rangeMin = Math.min(s.rangeMin, value);
            s.rangeMax = Math.max(s.rangeMax, value);
        }
    }

    /** Whether {@code value} lies beyond the range seen before it; then adds it to the range. */
    boolean observe(ScoreState s, double value) {
        boolean novel = false;
        if (!Double.isNaN(s.rangeMin)) {
            double margin = tolerance * (s.rangeMax - s.rangeMin);
            novel = s.rangeMax > s.rangeMin && (value > s.rangeMax + margin || value < s.rangeMin - margin);
        }
        widen(s, value);
        return novel;
    }
}
