package io.patchcast.job.alert;

/**
 * Debounces per-point flags into alert episodes, as mature monitoring products do: fire after
 * {@code k} flagged of the last {@code n} points, or at once on a flagged point scoring 1 (a value
 * or level beyond what the series has shown), resolve after {@code recoverAfter} clean points,
 * and re-open (merge into) the previous episode when firing again within the cooldown.
 */
public final class AlertTracker {

    private final AlertPolicy policy;

    public AlertTracker(AlertPolicy policy) {
        this.policy = policy;
    }

    public AlertPolicy policy() {
        return policy;
    }

    public AlertState newState() {
        AlertState s = new AlertState();
        s.times = new long[policy.n()];
        return s;
    }

    /**
     * Resolves a firing alert because its series sent no point for a while (the host stopped, or
     * every later point was rejected): RESOLVED at {@code ts}, the episode ending at its last flagged
     * point; null when not firing. Without it the alert would stay open for as long as the series
     * stays quiet.
     */
    public AlertEvent quiet(AlertState s, String seriesKey, long ts) {
        if (!s.firing) {
            return null;
        }
        s.firing = false;
        s.cleanStreak = 0;
        s.resolvedAt = ts;
        s.resolvedEpisodeStart = s.episodeStart;
        s.flags = 0;
        return new AlertEvent(seriesKey, false, ts, s.episodeStart, s.lastFlagged, s.peakScore, s.points, false);
    }

    /**
     * Records one scored point (warm-up points count as clean).
     *
     * @return the transition this point causes, or null
     */
    public AlertEvent onPoint(AlertState s, String seriesKey, long ts, boolean flagged, double score) {
        int n = policy.n();
        if (s.times.length != n) {
            // state from a savepoint taken with another alert.n: start the k-of-n window afresh
            s.times = new long[n];
            s.flags = 0;
            s.count = 0;
        }
        long mask = n == 64 ? -1L : (1L << n) - 1;
        s.flags = ((s.flags << 1) | (flagged ? 1 : 0)) & mask;
        s.times[(int) (s.count % n)] = ts;
        s.count++;
        if (s.firing) {
            s.peakScore = Math.max(s.peakScore, score);
            if (flagged) {
                s.points++;
                s.cleanStreak = 0;
                s.lastFlagged = ts;
                return null;
            }
            if (++s.cleanStreak < policy.recoverAfter()) {
                return null;
            }
            s.firing = false;
            s.resolvedAt = ts;
            s.resolvedEpisodeStart = s.episodeStart;
            s.flags = 0; // old flags must not re-fire the alert at once
            return new AlertEvent(seriesKey, false, ts, s.episodeStart, s.lastFlagged, s.peakScore,
                    s.points, false);
        }
        if (!flagged || (Long.bitCount(s.flags) < policy.k() && score < 1.0)) {
            return null;
        }
        boolean merge = s.resolvedAt != Long.MIN_VALUE
                && ts - s.resolvedAt < policy.cooldown().toMillis();
        s.firing = true;
        s.cleanStreak = 0;
        s.lastFlagged = ts;
        if (merge) {
            s.episodeStart = s.resolvedEpisodeStart;
            s.points += Long.bitCount(s.flags);
        } else {
            s.episodeStart = firstFlaggedInWindow(s);
            s.points = Long.bitCount(s.flags);
            s.peakScore = 0;
        }
        s.peakScore = Math.max(s.peakScore, score);
        return new AlertEvent(seriesKey, true, ts, s.episodeStart, null, s.peakScore, s.points, merge);
    }

    private long firstFlaggedInWindow(AlertState s) {
        int n = policy.n();
        int window = (int) Math.min(s.count, n);
        for (int age = window - 1; age >= 0; age--) {
            if ((s.flags & (1L << age)) != 0) {
                return s.times[(int) ((s.count - 1 - age) % n)];
            }
        }
        throw new IllegalStateException("firing with no flagged point in the window");
    }
}
