package io.patchcast.job.alert;

/** Keyed alert state of one series (Flink POJO: public fields, mutated in place). */
public class AlertState {
    /** Bit i: the i-th most recent point was flagged. */
    public long flags;
    /** Points seen so far, saturating at the window size. */
    public int seen;
    /** Timestamps of the last n points, ring indexed by {@code count % n}. */
    public long[] times = new long[0];
    public long count;
    public boolean firing;
    public long episodeStart;
    public long lastFlagged;
    public double peakScore;
    public int points;
    public int cleanStreak;
    /** Event time the last episode resolved; Long.MIN_VALUE if none. */
    public long resolvedAt = Long.MIN_VALUE;
    public long resolvedEpisodeStart;

    public AlertState() {}
}
