package io.patchcast.cli.nab;

import io.patchcast.cli.data.CsvSeries;
import io.patchcast.cli.report.TimeWindow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Port of NAB {@code Sweeper} (numenta/NAB nab/sweeper.py @ea702d7): turns one file's anomaly scores
 * into {@link AnomalyPoint}s worth what a detection there would earn, and sweeps the threshold over
 * one or many files' points.
 *
 * <p>Inside a window a detection earns {@code tpWeight * scaledSigmoid(pos) / scaledSigmoid(-1)},
 * where pos = -(rightIndex - i + 1) / width runs from -1 at the left edge to -1/width at the right
 * edge; only the best (earliest) detection of a window counts, and a window without one costs
 * {@code fnWeight}. Outside windows a detection costs {@code fpWeight * scaledSigmoid(d)} with d the
 * distance past the previous window's right edge in units of (its width - 1), or the full
 * {@code fpWeight} before the first window. The first 15 % of a file (at most 750 rows) is
 * probationary and not scored.
 */
public final class Sweeper {

    public static final double DEFAULT_PROBATION_PERCENT = 0.15;

    private final double probationPercent;
    private final CostMatrix costMatrix;

    public Sweeper(double probationPercent, CostMatrix costMatrix) {
        if (!(probationPercent >= 0 && probationPercent < 1)) {
            throw new IllegalArgumentException("probationPercent must be in [0, 1), got " + probationPercent);
        }
        this.probationPercent = probationPercent;
        this.costMatrix = costMatrix;
    }

    public Sweeper(CostMatrix costMatrix) {
        this(DEFAULT_PROBATION_PERCENT, costMatrix);
    }

    /** 2 * sigmoid(-5 x) - 1: 0.9866 at -1 (window start), 0 at the window's right edge, -1 past 3. */
    public static double scaledSigmoid(double relativePositionInWindow) {
        if (relativePositionInWindow > 3.0) {
            return -1.0;
        }
        return 2.0 / (1.0 + Math.exp(5.0 * relativePositionInWindow)) - 1.0;
    }

    /** Rows not scored at the start of a file of {@code numRows} rows: min(floor(p * n), p * 5000). */
    public double probationaryLength(int numRows) {
        return Math.min(Math.floor(probationPercent * numRows), probationPercent * 5000);
    }

    /**
     * One point per row. {@code windows} are in time order, each end inclusive, and both ends must be
     * timestamps of the file ({@link #checkWindows}); a duplicated timestamp resolves to its first
     * row, as NAB's {@code list.index} does.
     */
    public List<AnomalyPoint> calcSweepScore(long[] timestamps, double[] anomalyScores, List<TimeWindow> windows,
            String dataSetName) {
        if (timestamps.length != anomalyScores.length) {
            throw new IllegalArgumentException(String.format("%s: %d timestamps but %d anomaly scores",
                    dataSetName, timestamps.length, anomalyScores.length));
        }
        checkWindows(timestamps, windows, dataSetName);
        double maxTp = scaledSigmoid(-1.0);
        double probationaryLength = probationaryLength(timestamps.length);
        List<AnomalyPoint> out = new ArrayList<>(timestamps.length);
        int nextWindow = 0;
        TimeWindow cur = null;
        String curName = null;
        double curWidth = 0;
        int curRight = -1;
        double prevWidth = 0;
        int prevRight = -1;
        for (int i = 0; i < timestamps.length; i++) {
            long t = timestamps[i];
            if (cur == null && nextWindow < windows.size() && t == windows.get(nextWindow).startMillis()) {
                cur = windows.get(nextWindow++);
                curName = dataSetName + "|" + cur.startMillis();
                curRight = firstRow(timestamps, cur.endMillis());
                curWidth = curRight - firstRow(timestamps, cur.startMillis()) + 1;
            }
            double weighted;
            if (cur != null) {
                double pos = -(curRight - i + 1) / curWidth;
                weighted = scaledSigmoid(pos) * costMatrix.tpWeight() / maxTp;
            } else {
                double unweighted = prevRight < 0 ? -1.0 : scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
                weighted = unweighted * costMatrix.fpWeight();
            }
            String name = i >= probationaryLength ? curName : AnomalyPoint.PROBATIONARY;
            out.add(new AnomalyPoint(t, clean(anomalyScores[i]), weighted, name));
            if (cur != null && t == cur.endMillis()) {
                prevRight = i;
                prevWidth = curWidth;
                cur = null;
                curName = null;
            }
        }
        return out;
    }

    /** The file's sweep made once, to score many sets of detections ({@link FileSweep}). */
    public FileSweep sweep(long[] timestamps, List<TimeWindow> windows, String dataSetName) {
        return FileSweep.of(this, costMatrix, timestamps, windows, dataSetName);
    }

    /**
     * The score at every distinct threshold, from above the highest anomaly score (no detection) down
     * to the lowest; each entry counts every scorable row whose score is at least its threshold.
     */
    public List<ThresholdScore> calcScoreByThreshold(List<AnomalyPoint> points) {
        List<AnomalyPoint> scorable = new ArrayList<>(points.size());
        for (AnomalyPoint p : points) {
            if (p.scorable()) {
                scorable.add(p);
            }
        }
        scorable.sort(Comparator.comparingDouble(AnomalyPoint::anomalyScore).reversed());
        Map<String, Double> windowParts = new HashMap<>();
        double total = 0;
        int tn = 0;
        int fn = 0;
        for (AnomalyPoint p : scorable) {
            if (p.windowName() == null) {
                tn++;
            } else {
                fn++;
                if (windowParts.putIfAbsent(p.windowName(), -costMatrix.fnWeight()) == null) {
                    total -= costMatrix.fnWeight();
                }
            }
        }
        int tp = 0;
        int fp = 0;
        List<ThresholdScore> out = new ArrayList<>();
        double threshold = 1.1;
        for (AnomalyPoint p : scorable) {
            if (p.anomalyScore() != threshold) {
                out.add(new ThresholdScore(threshold, total, tp, tn, fp, fn, tp + tn + fp + fn));
                threshold = p.anomalyScore();
            }
            if (p.windowName() == null) {
                fp++;
                tn--;
                total += p.sweepScore();
            } else {
                tp++;
                fn--;
                double old = windowParts.get(p.windowName());
                if (p.sweepScore() > old) {
                    windowParts.put(p.windowName(), p.sweepScore());
                    total += p.sweepScore() - old;
                }
            }
        }
        out.add(new ThresholdScore(threshold, total, tp, tn, fp, fn, tp + tn + fp + fn));
        return out;
    }

    /** The score of {@code points} (one file or many) when rows scoring at least {@code threshold} are detections. */
    public ThresholdScore scoreAt(List<AnomalyPoint> points, double threshold) {
        Map<String, Double> windowParts = new HashMap<>();
        double fpPart = 0;
        int tp = 0;
        int tn = 0;
        int fp = 0;
        int fn = 0;
        for (AnomalyPoint p : points) {
            if (!p.scorable()) {
                continue;
            }
            boolean detected = p.anomalyScore() >= threshold;
            if (p.windowName() == null) {
                if (detected) {
                    fp++;
                    fpPart += p.sweepScore();
                } else {
                    tn++;
                }
            } else {
                windowParts.putIfAbsent(p.windowName(), -costMatrix.fnWeight());
                if (detected) {
                    tp++;
                    windowParts.merge(p.windowName(), p.sweepScore(), Math::max);
                } else {
                    fn++;
                }
            }
        }
        double score = fpPart;
        for (double v : windowParts.values()) {
            score += v;
        }
        return new ThresholdScore(threshold, score, tp, tn, fp, fn, tp + tn + fp + fn);
    }

    /** NAB's optimiser: the best score over all thresholds; ties go to the highest threshold. */
    public ThresholdScore optimizeThreshold(List<AnomalyPoint> points) {
        ThresholdScore best = null;
        for (ThresholdScore s : calcScoreByThreshold(points)) {
            if (best == null || s.score() > best.score()) {
                best = s;
            }
        }
        return best;
    }

    /**
     * Fails unless every window starts and ends on a timestamp of the rows and each starts after the
     * one before it ended. NAB's sweep opens a window only on a row whose timestamp is the window's
     * start, so a window that starts between rows would silently be neither hit nor missed, nor would
     * any window after it, and the detections in them would count as false positives; NAB's sweep
     * would also cut a window short where the next one starts inside it. NAB's own windows always
     * start and end on rows and never overlap; hand-written ones may.
     */
    public static void checkWindows(long[] timestamps, List<TimeWindow> windows, String dataSetName) {
        TimeWindow previous = null;
        for (TimeWindow w : windows) {
            if (previous != null && w.startMillis() <= previous.endMillis()) {
                throw new IllegalArgumentException(String.format(
                        "%s: window %s starts before window %s ends; windows must not overlap", dataSetName,
                        describe(w), describe(previous)));
            }
            checkRow(timestamps, w, w.startMillis(), "start", dataSetName);
            checkRow(timestamps, w, w.endMillis(), "end", dataSetName);
            previous = w;
        }
    }

    private static void checkRow(long[] timestamps, TimeWindow w, long t, String which, String dataSetName) {
        if (firstRow(timestamps, t) >= 0) {
            return;
        }
        long before = Long.MIN_VALUE;
        long after = Long.MAX_VALUE;
        for (long r : timestamps) {
            if (r < t && r > before) {
                before = r;
            } else if (r > t && r < after) {
                after = r;
            }
        }
        String near = before == Long.MIN_VALUE ? "the file's first row is " + CsvSeries.format(after)
                : after == Long.MAX_VALUE ? "the file's last row is " + CsvSeries.format(before)
                : "the rows around it are " + CsvSeries.format(before) + " and " + CsvSeries.format(after);
        throw new IllegalArgumentException(String.format(
                "%s: window %s: its %s is not a timestamp of the file (%s); a NAB window starts and ends on rows",
                dataSetName, describe(w), which, near));
    }

    private static String describe(TimeWindow w) {
        return "[" + CsvSeries.format(w.startMillis()) + ", " + CsvSeries.format(w.endMillis()) + "]";
    }

    /**
     * The first row whose timestamp is {@code t}, as NAB's {@code list.index} (a duplicated timestamp
     * resolves to its first row), or -1. A scan, not a map: a file has a few windows, and the leave-one-
     * file-out search scores every file millions of times, where building a map each time cost most of
     * its run.
     */
    private static int firstRow(long[] timestamps, long t) {
        for (int i = 0; i < timestamps.length; i++) {
            if (timestamps[i] == t) {
                return i;
            }
        }
        return -1;
    }

    /** A missing score (NaN) never detects anything. */
    private static double clean(double score) {
        return Double.isNaN(score) ? 0.0 : score;
    }
}
