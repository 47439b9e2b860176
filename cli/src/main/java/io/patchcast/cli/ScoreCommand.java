package io.patchcast.cli;

import io.patchcast.cli.data.CsvSeries;
import io.patchcast.job.PatchcastJob;
import io.patchcast.job.alert.AlertTracker;
import io.patchcast.job.config.AnomalyOptions;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.job.offline.OfflineRun;
import io.patchcast.job.patch.PatchAssembler;
import io.patchcast.job.score.ScoredPoint;
import io.patchcast.job.source.Point;
import io.patchcast.models.api.Forecaster;
import io.patchcast.store.ModelRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Scores a CSV offline with the job's own patching, forecasting, scoring and alert code. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score a timestamp,value CSV offline with the job's code; writes "
                + "timestamp,value,expected,lower,upper,anomaly_score,flagged,alert for every input row, in order.")
final class ScoreCommand implements Callable<Integer> {

    static final String HEADER = "timestamp,value,expected,lower,upper,anomaly_score,flagged,alert";

    @Option(names = "--input", required = true, description = "timestamp,value CSV file.")
    Path input;

    @Option(names = "--output", required = true, description = "Output CSV file (not the --input file).")
    Path output;

    @Mixin
    JobConfigMixin job;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (sameFile(input, output)) {
            throw new ParameterException(spec.commandLine(), String.format(
                    "--output %s is the --input file; writing the scores there would destroy the input, "
                            + "give another output file", output));
        }
        Configuration conf = job.configuration();
        CsvSeries csv = CsvSeries.read(input);
        String key = "score{file=\"" + input.getFileName() + "\"}";
        List<Point> points = new ArrayList<>(csv.size());
        for (int i = 0; i < csv.size(); i++) {
            points.add(Point.offline(key, csv.timestamps()[i], csv.values()[i], input.toString(), i));
        }
        OfflineRun.Result result;
        try (Forecaster model = ModelRegistry.open(conf.get(InferenceOptions.MODEL),
                conf.get(InferenceOptions.DEVICE), conf.get(InferenceOptions.ENGINE_THREADS))) {
            OfflineRun run = new OfflineRun(new PatchAssembler(PatchcastJob.patchConfig(conf)), model,
                    PatchcastJob.scoreConfig(conf), new AlertTracker(PatchcastJob.alertPolicy(conf)));
            result = run.run(points);
        }
        writeCsv(result, csv, output);
        String rejected = rejectedSummary(result);
        if (rejected != null) {
            spec.commandLine().getErr().println(rejected);
            spec.commandLine().getErr().flush();
        }
        return 0;
    }

    /**
     * Whether {@code a} and {@code b} name the same file: the same normalised absolute path, or, when
     * both exist, the same file by another name (a link, or a path through a linked folder).
     */
    static boolean sameFile(Path a, Path b) throws IOException {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    }

    /**
     * One line counting the rows the job rejected, per reason (most frequent first), or null when
     * none was: {@code score: 299 of 300 rows rejected (LATE 299); they are written with empty ...}.
     */
    static String rejectedSummary(OfflineRun.Result result) {
        Map<String, Integer> byReason = new TreeMap<>();
        for (OfflineRun.Row r : result.rows()) {
            if (r.rejectReason() != null) {
                byReason.merge(r.rejectReason(), 1, Integer::sum);
            }
        }
        if (byReason.isEmpty()) {
            return null;
        }
        int total = byReason.values().stream().mapToInt(Integer::intValue).sum();
        String reasons = byReason.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        return String.format("score: %d of %d rows rejected (%s); they are written with empty expected/lower/upper",
                total, result.rows().size(), reasons);
    }

    static void writeCsv(OfflineRun.Result result, CsvSeries csv, Path output) throws Exception {
        if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        try (BufferedWriter w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.newLine();
            boolean alert = false;
            for (int i = 0; i < result.rows().size(); i++) {
                OfflineRun.Row r = result.rows().get(i);
                ScoredPoint s = r.scored();
                StringBuilder sb = new StringBuilder();
                sb.append(csv.rawTimestamps().get(i)).append(',').append(num(csv.values()[i])).append(',');
                if (s == null || s.warmup()) {
                    sb.append(",,,0,false,");
                } else {
                    sb.append(num(s.expected())).append(',').append(num(s.lower())).append(',')
                            .append(num(s.upper())).append(',').append(num(s.score())).append(',')
                            .append(s.flagged()).append(',');
                }
                if (s != null) {
                    alert = r.alertFiring();
                }
                sb.append(alert ? 1 : 0);
                w.write(sb.toString());
                w.newLine();
            }
        }
    }

    private static String num(double d) {
        return Double.isNaN(d) ? "" : Double.toString(d);
    }
}
