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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
     */
    record FileRun(String relative, long[] timestamps, List<TimeWindow> windows, OfflineRun.Result result,
            Map<Long, Integer> rowOf) {}

    /**
     * As {@link #run(Path, NabLabels, Configuration, Forecaster, int)}, opening the configured model.
     */
    static JobDetector run(Path data, NabLabels labels, Configuration conf, int skipRows) throws Exception {
        try (Forecaster model = ModelRegistry.open(conf.get(InferenceOptions.MODEL),
                conf.get(InferenceOptions.DEVICE), conf.get(InferenceOptions.ENGINE_THREADS))) {
            return run(data, labels, conf, model, skipRows);
        }
    }

    /**
     * Every labelled file of {@code data} through the job's scoring path with an open model. With {@code
     * skipRows} above 0, each file is run without its first {@code skipRows} rows, and with the windows
     * that start after them only (as if the file had started later; a window that starts among the
     * dropped rows is dropped whole).
     */
    static JobDetector run(Path data, NabLabels labels, Configuration conf, Forecaster model, int skipRows)
            throws Exception {
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
        List<FileRun> runs = new ArrayList<>();
        for (NabInput.SeriesFile f : files) {
            OfflineRun run = new OfflineRun(new PatchAssembler(PatchcastJob.patchConfig(conf)), model,
                    PatchcastJob.scoreConfig(conf), new AlertTracker(PatchcastJob.alertPolicy(conf)));
            List<Point> points = new ArrayList<>(f.csv().size());
            for (int i = 0; i < f.csv().size(); i++) {
                points.add(Point.offline(f.seriesKey(), f.csv().timestamps()[i], f.csv().values()[i],
                        f.relative(), skipRows + i));
            }
            runs.add(new FileRun(f.relative(), f.csv().timestamps(), windows.get(f.relative()),
                    run.run(points), firstRows(f.csv().timestamps())));
        }
        return new JobDetector(runs);
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
     * The alert pages with another flag threshold and alert policy: the scored points replayed, in
     * their order, through the job's {@link AlertTracker} (scores do not depend on either).
     */
    DetectorFile alertPages(int file, double threshold, AlertPolicy policy) {
        FileRun f = runs.get(file);
        AlertTracker tracker = new AlertTracker(policy);
        AlertState state = tracker.newState();
        List<AlertEvent> events = new ArrayList<>();
        for (OfflineRun.Row r : f.result().rows()) {
            ScoredPoint p = r.scored();
            if (p == null) {
                continue;
            }
            boolean flagged = !p.warmup() && p.score() >= threshold;
            AlertEvent e = tracker.onPoint(state, p.seriesKey(), p.timestamp(), flagged, p.score());
            if (e != null) {
                events.add(e);
            }
        }
        return new DetectorFile(f.relative(), f.timestamps(), pages(events, f), f.windows());
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
