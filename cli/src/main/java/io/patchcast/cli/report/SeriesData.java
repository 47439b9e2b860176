package io.patchcast.cli.report;

import io.patchcast.schema.AlertTransition;
import io.patchcast.schema.AnomalyFlag;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What the report shows of one series: its scored points, its alert transitions and, for
 * labelled data sets, the true anomalies.
 *
 * @param flags one record per accepted point; sorted by timestamp here
 * @param transitions FIRING/RESOLVED transitions of the series; sorted by timestamp here
 * @param labelledWindows labelled anomaly windows (empty when unlabelled)
 * @param labelledTimestamps labelled anomalous points, UTC epoch milliseconds (empty when none)
 */
public record SeriesData(
        String key,
        List<AnomalyFlag> flags,
        List<AlertTransition> transitions,
        List<TimeWindow> labelledWindows,
        List<Long> labelledTimestamps) {
    public SeriesData {
        Objects.requireNonNull(key, "key");
        flags =
                flags.stream()
                        .sorted(Comparator.comparing(AnomalyFlag::getTimestamp))
                        .toList();
        transitions =
                transitions.stream()
                        .sorted(Comparator.comparing(AlertTransition::getTimestamp))
                        .toList();
        labelledWindows = List.copyOf(labelledWindows);
        labelledTimestamps = List.copyOf(labelledTimestamps);
    }

    /** A series without labels. */
    public static SeriesData of(
            String key, List<AnomalyFlag> flags, List<AlertTransition> transitions) {
        return new SeriesData(key, flags, transitions, List.of(), List.of());
    }
}
