package io.patchcast.cli;

import io.patchcast.cli.data.NabInput;
import io.patchcast.cli.data.NabLabels;
import io.patchcast.cli.nab.DetectorFile;
import io.patchcast.job.PatchcastJob;
import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.alert.AlertTracker;
import io.patchcast.job.config.AnomalyOptions;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.job.offline.OfflineRun;
import io.patchcast.job.patch.PatchAssembler;
import io.patchcast.job.source.Point;
import io.patchcast.models.api.Forecaster;
import io.patchcast.store.ModelRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * The job as a NAB detector: every labelled file of a folder through {@link OfflineRun} (what
 * {@code score} runs), as two detector outputs: the per-point {@code anomaly_score}, and the alert
 * pages (1 at each point where a new alert episode fires, else 0).
 */
record JobDetector(List<DetectorFile> anomalyScores, List<DetectorFile> alertPages) {

    static JobDetector run(Path data, NabLabels labels, Configuration conf) throws Exception {
        List<NabInput.SeriesFile> files = new ArrayList<>();
        for (NabInput.SeriesFile f : NabInput.read(data)) {
            if (labels.labelled(f.relative())) {
                files.add(f);
            }
        }
        if (files.isEmpty()) {
            throw new IOException(data + " holds no file named in the windows file");
        }
        List<DetectorFile> scores = new ArrayList<>();
        List<DetectorFile> pages = new ArrayList<>();
        try (Forecaster model = ModelRegistry.open(conf.get(InferenceOptions.MODEL),
                conf.get(InferenceOptions.DEVICE), conf.get(InferenceOptions.ENGINE_THREADS))) {
            for (NabInput.SeriesFile f : files) {
                OfflineRun run = new OfflineRun(new PatchAssembler(PatchcastJob.patchConfig(conf)), model,
                        PatchcastJob.scoreConfig(conf), new AlertTracker(PatchcastJob.alertPolicy(conf)));
                List<Point> points = new ArrayList<>(f.csv().size());
                for (int i = 0; i < f.csv().size(); i++) {
                    points.add(Point.offline(f.seriesKey(), f.csv().timestamps()[i], f.csv().values()[i],
                            f.relative(), i));
                }
                OfflineRun.Result r = run.run(points);
                double[] s = new double[points.size()];
                for (int i = 0; i < s.length; i++) {
                    OfflineRun.Row row = r.rows().get(i);
                    s[i] = row.scored() == null ? 0.0 : row.scored().score();
                }
                scores.add(new DetectorFile(f.relative(), f.csv().timestamps(), s, labels.windowsOf(f.relative())));
                pages.add(new DetectorFile(f.relative(), f.csv().timestamps(), pages(r, f.csv().timestamps()),
                        labels.windowsOf(f.relative())));
            }
        }
        return new JobDetector(scores, pages);
    }

    /** 1 at the first row of each timestamp where an alert newly fires (merged re-fires page nobody). */
    static double[] pages(OfflineRun.Result r, long[] timestamps) {
        Map<Long, Integer> first = new HashMap<>();
        for (int i = 0; i < timestamps.length; i++) {
            first.putIfAbsent(timestamps[i], i);
        }
        double[] p = new double[timestamps.length];
        for (AlertEvent e : r.alerts()) {
            if (e.firing() && !e.merged()) {
                p[first.get(e.timestamp())] = 1.0;
            }
        }
        return p;
    }
}
