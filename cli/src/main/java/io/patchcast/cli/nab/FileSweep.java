package io.patchcast.cli.nab;

import io.patchcast.cli.report.TimeWindow;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One file's sweep under one cost matrix, made once, to score many sets of detections given as rows:
 * what {@link Sweeper#scoreAt} gives for a file whose rows score 1 at the detections and 0 elsewhere
 * (at any threshold in (0, 1]), in time proportional to the detections rather than the rows. The
 * leave-one-file-out search scores every file's alert pages about a million times.
 */
public final class FileSweep {

    private static final int OUTSIDE = -1;
    private static final int PROBATIONARY = -2;

    private final double[] weight;
    private final int[] windowOf;
    private final int windows;
    private final double fnWeight;

    private FileSweep(double[] weight, int[] windowOf, int windows, double fnWeight) {
        this.weight = weight;
        this.windowOf = windowOf;
        this.windows = windows;
        this.fnWeight = fnWeight;
    }

    /**
     * The sweep of a file's rows: each row's worth and window as {@link Sweeper#calcSweepScore} gives
     * them (so a window whose rows are all probationary is neither hit nor missed, as there).
     */
    static FileSweep of(Sweeper sweeper, CostMatrix costs, long[] timestamps, List<TimeWindow> windows,
            String dataSetName) {
        List<AnomalyPoint> points = sweeper.calcSweepScore(timestamps, new double[timestamps.length], windows,
                dataSetName);
        double[] weight = new double[points.size()];
        int[] windowOf = new int[points.size()];
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < weight.length; i++) {
            AnomalyPoint p = points.get(i);
            weight[i] = p.sweepScore();
            windowOf[i] = !p.scorable() ? PROBATIONARY
                    : p.windowName() == null ? OUTSIDE
                    : index.computeIfAbsent(p.windowName(), k -> index.size());
        }
        return new FileSweep(weight, windowOf, index.size(), costs.fnWeight());
    }

    /** Rows in the file. */
    public int rows() {
        return weight.length;
    }

    /**
     * The raw score of detections at {@code rows} (distinct rows, any order): the best detection of
     * each window, a miss for each window without one, and every detection outside the windows.
     */
    public double score(int[] rows) {
        double[] best = new double[windows];
        Arrays.fill(best, Double.NaN);
        double fp = 0;
        for (int r : rows) {
            int w = windowOf[r];
            if (w == OUTSIDE) {
                fp += weight[r];
            } else if (w >= 0 && !(best[w] >= weight[r])) {
                best[w] = weight[r];
            }
        }
        double score = fp;
        for (double b : best) {
            score += Double.isNaN(b) ? -fnWeight : b;
        }
        return score;
    }
}
