package io.patchcast.job.alert;

/**
 * A transition of a series' alert state.
 *
 * @param firing true for FIRING, false for RESOLVED
 * @param timestamp event time of the point that caused the transition
 * @param episodeEnd last flagged point of the episode; null while firing
 * @param merged true when a FIRING re-opens an episode that resolved less than the cooldown ago
 */
public record AlertEvent(
        String seriesKey,
        boolean firing,
        long timestamp,
        long episodeStart,
        Long episodeEnd,
        double peakScore,
        int points,
        boolean merged) {}
