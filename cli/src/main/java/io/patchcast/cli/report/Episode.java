package io.patchcast.cli.report;

import io.patchcast.schema.AlertState;
import io.patchcast.schema.AlertTransition;
import java.util.ArrayList;
import java.util.List;

/**
 * One alert episode rebuilt from a series' transitions: {@code [start, end]} in epoch millis;
 * {@code open} when it was still FIRING at the end of the run (then {@code end} is the last
 * point).
 */
record Episode(long start, long end, boolean open, double peakScore, int points) {

    /**
     * Pairs FIRING with the following RESOLVED. A FIRING with {@code merged} re-opens the episode
     * that resolved within the cooldown, so it continues that episode instead of starting one.
     *
     * @param transitions sorted by timestamp
     * @param lastPoint timestamp of the series' last point, where an open episode ends
     */
    static List<Episode> fromTransitions(List<AlertTransition> transitions, long lastPoint) {
        List<Episode> done = new ArrayList<>();
        boolean firing = false;
        long start = 0;
        double peak = 0;
        int points = 0;
        for (AlertTransition t : transitions) {
            if (t.getState() == AlertState.FIRING) {
                if (firing) {
                    peak = Math.max(peak, t.getPeakScore());
                    points = Math.max(points, t.getPoints());
                    continue;
                }
                firing = true;
                start = t.getEpisodeStart().toEpochMilli();
                peak = t.getPeakScore();
                points = t.getPoints();
                if (t.getMerged() && !done.isEmpty()) {
                    Episode previous = done.remove(done.size() - 1);
                    start = Math.min(start, previous.start);
                    peak = Math.max(peak, previous.peakScore);
                    points = Math.max(points, previous.points);
                }
            } else {
                if (!firing) {
                    start = t.getEpisodeStart().toEpochMilli();
                }
                long end =
                        t.getEpisodeEnd() != null
                                ? t.getEpisodeEnd().toEpochMilli()
                                : t.getTimestamp().toEpochMilli();
                done.add(
                        new Episode(
                                start,
                                Math.max(start, end),
                                false,
                                Math.max(peak, t.getPeakScore()),
                                Math.max(points, t.getPoints())));
                firing = false;
                peak = 0;
                points = 0;
            }
        }
        if (firing) {
            done.add(new Episode(start, Math.max(start, lastPoint), true, peak, points));
        }
        return done;
    }

    boolean covers(long millis) {
        return millis >= start && millis <= end;
    }
}
