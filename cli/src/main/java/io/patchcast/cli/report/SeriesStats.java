package io.patchcast.cli.report;

import io.patchcast.schema.AnomalyFlag;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The numbers on a series' stats line. A labelled window is hit when a flagged point falls inside
 * it or an alert episode overlaps it; a labelled timestamp is hit when a point at that time was
 * flagged or an episode covers it.
 */
record SeriesStats(
        int points,
        int flagged,
        int warmup,
        List<Episode> episodes,
        int windowsHit,
        int windows,
        int flagsOutsideWindows,
        int timestampsHit,
        int timestamps,
        double maxScore,
        Set<String> models) {

    static SeriesStats of(SeriesData s) {
        List<AnomalyFlag> flags = s.flags();
        long last = flags.isEmpty() ? 0 : flags.get(flags.size() - 1).getTimestamp().toEpochMilli();
        List<Episode> episodes = Episode.fromTransitions(s.transitions(), last);
        int flagged = 0;
        int warmup = 0;
        int outside = 0;
        double maxScore = 0;
        Set<String> models = new TreeSet<>();
        for (AnomalyFlag f : flags) {
            if (f.getWarmup()) {
                warmup++;
            } else {
                models.add(f.getModel() + "@" + f.getModelVersion());
            }
            maxScore = Math.max(maxScore, f.getScore());
            if (f.getFlagged()) {
                flagged++;
                long t = f.getTimestamp().toEpochMilli();
                if (s.labelledWindows().stream().noneMatch(w -> w.contains(t))) {
                    outside++;
                }
            }
        }
        int windowsHit = 0;
        for (TimeWindow w : s.labelledWindows()) {
            boolean flagInside =
                    flags.stream()
                            .anyMatch(
                                    f ->
                                            f.getFlagged()
                                                    && w.contains(
                                                            f.getTimestamp().toEpochMilli()));
            boolean alertOverlaps = episodes.stream().anyMatch(e -> w.overlaps(e.start(), e.end()));
            if (flagInside || alertOverlaps) {
                windowsHit++;
            }
        }
        int timestampsHit = 0;
        for (long t : s.labelledTimestamps()) {
            boolean flaggedThere =
                    flags.stream()
                            .anyMatch(
                                    f -> f.getFlagged() && f.getTimestamp().toEpochMilli() == t);
            if (flaggedThere || episodes.stream().anyMatch(e -> e.covers(t))) {
                timestampsHit++;
            }
        }
        return new SeriesStats(
                flags.size(),
                flagged,
                warmup,
                episodes,
                windowsHit,
                s.labelledWindows().size(),
                s.labelledWindows().isEmpty() ? 0 : outside,
                timestampsHit,
                s.labelledTimestamps().size(),
                maxScore,
                models);
    }
}
