package io.patchcast.job.patch;

import io.patchcast.job.source.Point;

/**
 * Keyed state of one series: the recent values on a regular grid and which slots were observed.
 *
 * <p>About 2.3 KiB at context 512: a {@code float} ring of context + one patch, a bitmask, the last
 * few arrival times, and a few scalars. Slots count steps from {@link #anchor} (the first point
 * after the last reset).
 * Mutable on purpose: it is updated in place for every point. Public fields so that Flink
 * serializes it as a POJO.
 */
public class SeriesState {
    /** Grid spacing in ms; 0 while the step is still being inferred. */
    public long stepMillis;
    /** Timestamp of slot 0. */
    public long anchor;
    /** Highest slot filled so far; -1 before the first point. */
    public long frontier = -1;
    /** Ring of values, slot {@code s} at {@code s % capacity}. */
    public float[] ring;
    /** Bit {@code s % capacity} set when slot {@code s} holds an observation. */
    public long[] observed;
    /** Highest patch a forecast was requested for; -1 if none. */
    public long lastRequestedPatch = -1;
    /** Bit i set when patch {@code lastRequestedPatch - i} had a forecast requested. */
    public long requestedMask;
    /** Points held back until a step can be inferred. */
    public Point[] pending = new Point[0];
    /**
     * A point more than {@code maxGapSteps} after the newest one, held until the next point says
     * whether the series really moved on (reset) or the jump was a lone wrong timestamp.
     */
    public Point jump;
    /**
     * Timestamps of the last points that reached or passed the newest slot, a ring of {@link
     * PatchAssembler#stepWindow} (null until the first; only kept when the step is inferred).
     */
    public long[] arrivals;
    /** Points recorded in {@link #arrivals} since the step was last (re)inferred. */
    public long arrivalCount;
    /** Bit i set when the (i+1)-th newest interval of {@link #arrivals} did not advance exactly one slot. */
    public long offGridMask;

    public SeriesState() {}

    static SeriesState create(int capacity) {
        SeriesState s = new SeriesState();
        s.ring = new float[capacity];
        s.observed = new long[(capacity + 63) / 64];
        return s;
    }

    int capacity() {
        return ring.length;
    }

    boolean isObserved(long slot) {
        int i = (int) (slot % ring.length);
        return (observed[i >>> 6] & (1L << (i & 63))) != 0;
    }

    void setObserved(long slot, boolean value) {
        int i = (int) (slot % ring.length);
        if (value) {
            observed[i >>> 6] |= 1L << (i & 63);
        } else {
            observed[i >>> 6] &= ~(1L << (i & 63));
        }
    }

    float value(long slot) {
        return ring[(int) (slot % ring.length)];
    }

    void put(long slot, float v) {
        ring[(int) (slot % ring.length)] = v;
        setObserved(slot, true);
    }

    boolean wasRequested(long patch) {
        long back = lastRequestedPatch - patch;
        return lastRequestedPatch >= 0 && back >= 0 && back < 64 && (requestedMask & (1L << back)) != 0;
    }

    void markRequested(long patch) {
        long shift = patch - lastRequestedPatch;
        requestedMask = lastRequestedPatch < 0 || shift >= 64 ? 1L : (requestedMask << shift) | 1L;
        lastRequestedPatch = patch;
    }

    /**
     * A ring of another capacity (a job restored from a savepoint with another context length),
     * keeping the newest slots both rings can hold; older slots read as unobserved.
     */
    void resize(int capacity) {
        float[] ring2 = new float[capacity];
        long[] observed2 = new long[(capacity + 63) / 64];
        if (frontier >= 0) {
            int keep = Math.min(ring.length, capacity);
            for (long s = Math.max(0, frontier - keep + 1); s <= frontier; s++) {
                int j = (int) (s % capacity);
                ring2[j] = value(s);
                if (isObserved(s)) {
                    observed2[j >>> 6] |= 1L << (j & 63);
                }
            }
        }
        ring = ring2;
        observed = observed2;
    }

    /** Starts a new context at {@code ts}, keeping the step. */
    void reset(long ts) {
        anchor = ts;
        frontier = -1;
        lastRequestedPatch = -1;
        requestedMask = 0;
        java.util.Arrays.fill(observed, 0L);
    }
}
