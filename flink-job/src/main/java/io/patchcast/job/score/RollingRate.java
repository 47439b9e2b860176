package io.patchcast.job.score;

/** Fraction of true among the last {@code window} booleans; for metrics (not checkpointed). */
public final class RollingRate {
    private final boolean[] ring;
    private int next;
    private int size;
    private int trues;

    public RollingRate(int window) {
        ring = new boolean[window];
    }

    public synchronized void add(boolean v) {
        if (size == ring.length) {
            trues -= ring[next] ? 1 : 0;
        } else {
            size++;
        }
        ring[next] = v;
        trues += v ? 1 : 0;
        next = (next + 1) % ring.length;
    }

    /** NaN before the first value. */
    public synchronized double rate() {
        return size == 0 ? Double.NaN : trues / (double) size;
    }
}
