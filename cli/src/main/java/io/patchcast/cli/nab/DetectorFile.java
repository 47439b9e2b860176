package io.patchcast.cli.nab;

import io.patchcast.cli.report.TimeWindow;
import java.util.List;

/**
 * One data file as a detector scored it: a row per timestamp with its anomaly score, and the
 * file's labelled windows (NAB's results CSV plus its entry in {@code combined_windows.json}).
 *
 * @param relativePath the file's key in the windows file, e.g. {@code realAWSCloudwatch/x.csv}
 */
public record DetectorFile(String relativePath, long[] timestamps, double[] anomalyScores, List<TimeWindow> windows) {
    public DetectorFile {
        if (timestamps.length != anomalyScores.length) {
            throw new IllegalArgumentException(String.format("%s: %d timestamps but %d anomaly scores",
                    relativePath, timestamps.length, anomalyScores.length));
        }
        windows = List.copyOf(windows);
    }
}
