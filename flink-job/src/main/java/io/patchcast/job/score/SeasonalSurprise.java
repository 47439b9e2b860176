package io.patchcast.job.score;

import java.time.Duration;

/**
 * Discounts surprise that recurs at the same time of day or week: a nightly batch job, a daily
 * backup spike or a weekly report that the forecast does not anticipate is surprising every time,
 * but only the first time is news.
 *
 * <p>Each series keeps, per time bucket of {@code tolerance / 4}, the largest per-point surprise
 * seen in it over the last week plus {@code tolerance} ({@link ScoreState#seasonalMax}, a ring of
 * floats: 678 of them at a tolerance of 1 h, whatever the series' step). The reference
 * of a point at time t is the largest surprise within {@code tolerance} of t minus one day and of t
 * minus one week. A point's surprise u is then reduced to
 *
 * <pre>  u - max(0, min(u, reference) - FLOOR)</pre>
 *
 * so the part of it that the same phase already showed is taken off, down to {@link #FLOOR}; a
 * surprise larger than the one a day or a week ago keeps its excess, and ordinary points (u below
 * {@code FLOOR}) are untouched. The stored surprise is the raw one, so a pattern that recurs every
 * day stays discounted. Points arriving more than a week behind the series' newest bucket are
 * neither recorded nor discounted.
 */
public final class SeasonalSurprise {

    /** Surprise (nats) a recurring phase keeps: tail probability e^-3, about 5 %. */
    public static final double FLOOR = 3.0;

    /** Lags at which a surprise counts as recurring: one day and one week. */
    static final long[] LAGS = {Duration.ofDays(1).toMillis(), Duration.ofDays(7).toMillis()};

    /** Smallest tolerance accepted: it bounds the ring to 4 * (1 week / tolerance) buckets. */
    public static final Duration MIN_TOLERANCE = Duration.ofMinutes(10);

    /** Largest tolerance accepted. */
    public static final Duration MAX_TOLERANCE = Duration.ofHours(6);

    private final long tolerance;
    private final long bucket;
    private final int buckets;

    /** @param tolerance how far from exactly one day / one week earlier a surprise still counts */
    public SeasonalSurprise(Duration tolerance) {
        checkTolerance(tolerance);
        this.tolerance = tolerance.toMillis();
        this.bucket = this.tolerance / 4;
        this.buckets = (int) ((LAGS[LAGS.length - 1] + this.tolerance) / bucket) + 2;
    }

    /** Rejects a tolerance outside [{@link #MIN_TOLERANCE}, {@link #MAX_TOLERANCE}]. */
    static void checkTolerance(Duration tolerance) {
        if (tolerance.compareTo(MIN_TOLERANCE) < 0 || tolerance.compareTo(MAX_TOLERANCE) > 0) {
            throw new IllegalArgumentException("seasonal tolerance must be between " + MIN_TOLERANCE + " and "
                    + MAX_TOLERANCE + " (or 0 to turn the discount off), got " + tolerance);
        }
    }

    /** Buckets in a series' ring. */
    int buckets() {
        return buckets;
    }

    /** Records the raw surprise {@code u} of the point at {@code timestamp} and returns it discounted. */
    public double discount(ScoreState s, long timestamp, double u) {
        double reference = reference(s, timestamp);
        record(s, timestamp, u);
        return u - Math.max(0.0, Math.min(u, reference) - FLOOR);
    }

    /** Largest recorded surprise within the tolerance of one day and one week before {@code timestamp}; 0 if none. */
    double reference(ScoreState s, long timestamp) {
        if (s.seasonalMax == null || s.seasonalMax.length != buckets) {
            return 0.0;
        }
        double r = 0.0;
        for (long lag : LAGS) {
            long from = Math.floorDiv(timestamp - lag - tolerance, bucket);
            long to = Math.floorDiv(timestamp - lag + tolerance, bucket);
            for (long b = Math.max(from, s.seasonalNewestBucket - buckets + 1); b <= Math.min(to, s.seasonalNewestBucket); b++) {
                r = Math.max(r, s.seasonalMax[(int) Math.floorMod(b, (long) buckets)]);
            }
        }
        return r;
    }

    private void record(ScoreState s, long timestamp, double u) {
        long b = Math.floorDiv(timestamp, bucket);
        if (s.seasonalMax == null || s.seasonalMax.length != buckets) { // new series, changed tolerance, or old savepoint
            s.seasonalMax = new float[buckets];
            s.seasonalNewestBucket = b;
        } else if (b > s.seasonalNewestBucket) {
            // clear the buckets the ring skips (no points in them) before reusing them
            long clearFrom = Math.max(s.seasonalNewestBucket + 1, b - buckets + 1);
            for (long c = clearFrom; c <= b; c++) {
                s.seasonalMax[(int) Math.floorMod(c, (long) buckets)] = 0f;
            }
            s.seasonalNewestBucket = b;
        } else if (b <= s.seasonalNewestBucket - buckets) {
            return; // older than the ring
        }
        int i = (int) Math.floorMod(b, (long) buckets);
        s.seasonalMax[i] = (float) Math.max(s.seasonalMax[i], u);
    }
}
