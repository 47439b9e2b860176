package io.patchcast.cli;

import io.patchcast.cli.data.NabInput;
import io.patchcast.cli.data.NabLabels;
import io.patchcast.cli.nab.DetectorFile;
import io.patchcast.cli.nab.Sweeper;
import io.patchcast.job.PatchcastJob;
import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.alert.AlertPolicy;
import io.patchcast.job.alert.AlertState;
import io.patchcast.job.alert.AlertTracker;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.job.offline.OfflineRun;
import io.patchcast.job.patch.PatchAssembler;
import io.patchcast.job.score.ScoredPoint;
import io.patchcast.job.source.Point;
import io.patchcast.models.api.Forecaster;
import io.patchcast.store.ModelRegistry;
import io.patchcast.cli.report.TimeWindow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;

/**
 * The job as a NAB detector: every labelled file of a folder through {@link OfflineRun} (what
 * {@code score} runs). Two detector outputs: the per-point {@code anomaly_score}, and the alert
 * pages (1 at each point where a new alert episode fires, else 0).
 */
record JobDetector(List<FileRun> runs) {

    /**
     * One file's run.
     *
     * @param rowOf the first row of each timestamp, made once: the leave-one-file-out search turns
     *     every file's alerts into pages millions of times
     * @param scored the scored points in their order, as arrays, made once for the same reason
     */
    record FileRun(String relative, long[] timestamps, List<TimeWindow> windows, OfflineRun.Result result,
            Map<Long, Integer> rowOf, Scored scored) {}

    /** A file's scored points in their order (rows the job rejected have none). */
    record Scored(String seriesKey, long[] timestamps, double[] scores, boolean[] warmup) {
        static Scored of(String seriesKey, OfflineRun.Result result) {
            List<ScoredPoint> points = new ArrayList<>(result.rows().size());
            for (OfflineRun.Row r : result.rows()) {
                if (r.scored() != null) {
                    points.add(r.scored());
                }
            }
            long[] ts = new long[points.size()];
            double[] scores = new double[points.size()];
            boolean[] warmup = new boolean[points.size()];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = points.get(i).timestamp();
                scores[i] = points.get(i).score();
                warmup[i] = points.get(i).warmup();
            }
            return new Scored(seriesKey, ts, scores, warmup);
        }
    }

    /**
     * As {@link #run(Path, NabLabels, Configuration, Forecaster, int, boolean)}, opening the configured model,
     * one file after another.
     */
    static JobDetector run(Path data, NabLabels labels, Configuration conf, int skipRows) throws Exception {
        try (Forecaster model = ModelRegistry.open(conf.get(InferenceOptions.MODEL),
                conf.get(InferenceOptions.DEVICE), conf.get(InferenceOptions.ENGINE_THREADS))) {
            return run(data, labels, conf, model, skipRows, false);
        }
    }

    /**
     * Every labelled file of {@code data} through the job's scoring path with an open model. With {@code
     * skipRows} above 0, each file is run without its first {@code skipRows} rows, and with the windows
     * that start after them only (as if the file had started later; a window that starts among the
     * dropped rows is dropped whole). With {@code parallel}, the files run on the common fork-join pool
     * (each file's run is its own; {@code model} must then be safe to call from several threads).
     */
    static JobDetector run(Path data, NabLabels labels, Configuration conf, Forecaster model, int skipRows,
            boolean parallel) throws Exception {
        // only the labelled files are read: an unlabelled one need not even be a timestamp,value CSV
        Map<String, String> keys = labels.keysOf(NabInput.list(data));
        if (keys.isEmpty()) {
            throw new IOException(data + " holds no file named in the windows file");
        }
        List<NabInput.SeriesFile> files = new ArrayList<>();
        Map<String, List<TimeWindow>> windows = new HashMap<>();
        for (NabInput.SeriesFile f : NabInput.read(data, keys.keySet())) {
            List<TimeWindow> w = labels.windowsOf(keys.get(f.relative()));
            if (skipRows > 0) {
                if (skipRows >= f.csv().size()) {
                    throw new IOException(String.format("%s: --skip-rows %d leaves no row (the file has %d)",
                            f.relative(), skipRows, f.csv().size()));
                }
                f = new NabInput.SeriesFile(f.relative(), f.seriesKey(), f.csv().dropFirst(skipRows));
                long first = f.csv().timestamps()[0];
                w = w.stream().filter(x -> x.startMillis() >= first).toList();
            }
            // before the model runs: a window the scorer cannot place fails now, not after the run
            Sweeper.checkWindows(f.csv().timestamps(), w, f.relative());
            files.add(f);
            windows.put(f.relative(), w);
        }
        IntStream indices = IntStream.range(0, files.size());
        List<FileRun> runs = (parallel ? indices.parallel() : indices)
                .mapToObj(i -> runFile(files.get(i), windows.get(files.get(i).relative()), conf, model, skipRows))
                .toList();
        return new JobDetector(runs);
    }

    private static FileRun runFile(NabInput.SeriesFile f, List<TimeWindow> windows, Configuration conf,
            Forecaster model, int skipRows) {
        OfflineRun run = new OfflineRun(new PatchAssembler(PatchcastJob.patchConfig(conf)), model,
                PatchcastJob.scoreConfig(conf), new AlertTracker(PatchcastJob.alertPolicy(conf)));
        List<Point> points = new ArrayList<>(f.csv().size());
        for (int i = 0; i < f.csv().size(); i++) {
            points.add(Point.offline(f.seriesKey(), f.csv().timestamps()[i], f.csv().values()[i],
                    f.relative(), skipRows + i));
        }
        OfflineRun.Result result = run.run(points);
        return new FileRun(f.relative(), f.csv().timestamps(), windows, result, firstRows(f.csv().timestamps()),
                Scored.of(f.seriesKey(), result));
    }

    /** The anomaly_score column of every file (0 where a row was rejected). */
    List<DetectorFile> anomalyScores() {
        List<DetectorFile> out = new ArrayList<>();
        for (FileRun f : runs) {
            double[] s = new double[f.timestamps().length];
            for (int i = 0; i < s.length; i++) {
                ScoredPoint p = f.result().rows().get(i).scored();
                s[i] = p == null ? 0.0 : p.score();
            }
            out.add(new DetectorFile(f.relative(), f.timestamps(), s, f.windows()));
        }
        return out;
    }

    /** The alert pages of the run as it was configured. */
    List<DetectorFile> alertPages() {
        List<DetectorFile> out = new ArrayList<>();
        for (FileRun f : runs) {
            out.add(new DetectorFile(f.relative(), f.timestamps(), pages(f.result().alerts(), f),
                    f.windows()));
        }
        return out;
    }

    /**
     * The rows a file's alerts page at with another flag threshold and alert policy, ascending and
     * distinct: the scored points replayed, in their order, through the job's {@link AlertTracker}
     * (scores do not depend on either). What the leave-one-file-out search scores: a few rows where the
     * dense column of {@link #alertPages()} has thousands.
     */
    int[] alertPageRows(int file, double threshold, AlertPolicy policy) {
        FileRun f = runs.get(file);
        Scored s = f.scored();
        AlertTracker tracker = new AlertTracker(policy);
        AlertState state = tracker.newState();
        int[] rows = new int[8];
        int n = 0;
        for (int i = 0; i < s.timestamps().length; i++) {
            boolean flagged = !s.warmup()[i] && s.scores()[i] >= threshold;
            AlertEvent e = tracker.onPoint(state, s.seriesKey(), s.timestamps()[i], flagged, s.scores()[i]);
            if (e != null && e.firing() && !e.merged()) {
                if (n == rows.length) {
                    rows = Arrays.copyOf(rows, 2 * n);
                }
                rows[n++] = f.rowOf().get(e.timestamp());
            }
        }
        // two pages on one row (a duplicated timestamp) page it once, as in the dense column
        return Arrays.stream(rows, 0, n).sorted().distinct().toArray();
    }

    /** 1 at the first row of each timestamp where an alert newly fires (merged re-fires page nobody). */
    static double[] pages(List<AlertEvent> alerts, FileRun f) {
        double[] p = new double[f.timestamps().length];
        for (AlertEvent e : alerts) {
            if (e.firing() && !e.merged()) {
                p[f.rowOf().get(e.timestamp())] = 1.0;
            }
        }
        return p;
    }

    /** The first row of each timestamp (a duplicated timestamp is scored at its first row, as NAB does). */
    static Map<Long, Integer> firstRows(long[] timestamps) {
        Map<Long, Integer> first = new HashMap<>();
        for (int i = 0; i < timestamps.length; i++) {
            first.putIfAbsent(timestamps[i], i);
        }
        return Map.copyOf(first);
    }
}
