package io.patchcast.job.score;

import java.time.Duration;
import java.util.Arrays;

/**
 * Rings of hourly buckets over the last week, whatever a series' step: how {@link LevelNovelty}
 * keeps its highest and lowest levels and {@link QuietNovelty} its smallest spreads. A ring holds
 * {@link #BUCKETS} hours, slot {@code hour mod BUCKETS}; NaN marks an hour without a point. The
 * newest hour a ring has seen and the hour its series started are the caller's (fields of {@link
 * ScoreState}), passed in and returned.
 */
final class WeekOfHours {
    private WeekOfHours() {}

    /** How far back a ring reaches. */
    static final Duration HISTORY = Duration.ofDays(7);

    /** Width of one bucket. */
    static final long BUCKET = Duration.ofHours(1).toMillis();

    /** Hours in a ring: the week before the current hour, and the current hour. */
    static final int BUCKETS = (int) (HISTORY.toMillis() / BUCKET) + 1;

    /** The hour of {@code timestamp}. */
    static long hour(long timestamp) {
        return Math.floorDiv(timestamp, BUCKET);
    }

    /** A ring without any point. */
    static double[] empty() {
        double[] ring = new double[BUCKETS];
        Arrays.fill(ring, Double.NaN);
        return ring;
    }

    /** Whether {@code ring} is one of these rings (not null, not the empty array of an off rule). */
    static boolean isRing(double[] ring) {
        return ring != null && ring.length == BUCKETS;
    }

    /** Whether hour {@code b} is older than every hour a ring whose newest hour is {@code newest} holds. */
    static boolean tooOld(long b, long newest) {
        return b <= newest - BUCKETS;
    }

    /**
     * Moves rings whose newest hour is {@code newest} on to hour {@code b} (after it): the hours
     * between, and {@code b}, are emptied.
     */
    static void advance(long newest, long b, double[]... rings) {
        for (long c = Math.max(newest + 1, b - BUCKETS + 1); c <= b; c++) {
            for (double[] ring : rings) {
                ring[slot(c)] = Double.NaN;
            }
        }
    }

    /**
     * The hour a series counts its span from, once a point of hour {@code b} arrives after the
     * newest hour {@code newest}: {@code b} itself after a silence longer than the history (whose
     * hours are all gone: a few would make a narrow range), else {@code first} as it was.
     */
    static long firstAfter(long first, long newest, long b) {
        return b - newest >= BUCKETS ? b : first;
    }

    /** The oldest hour before {@code b} that rings whose newest hour is {@code newest} still hold. */
    static long oldestBefore(long b, long newest) {
        return Math.max(b, newest) - BUCKETS + 1;
    }

    /** The slot of hour {@code hour} in a ring. */
    static int slot(long hour) {
        return (int) Math.floorMod(hour, (long) BUCKETS);
    }
}
