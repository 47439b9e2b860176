package io.patchcast.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchcast.cli.data.NabLabels;
import io.patchcast.cli.nab.CorpusScorer;
import io.patchcast.cli.nab.DetectorFile;
import io.patchcast.cli.nab.DetectorResults;
import io.patchcast.cli.nab.FileScore;
import io.patchcast.cli.nab.Profile;
import io.patchcast.cli.nab.ProfileScore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Scores anomaly detection with the Numenta Anomaly Benchmark's algorithm ({@link CorpusScorer}):
 * the job's own scoring path on every labelled file of a folder, or a NAB detector's result files.
 */
@Command(name = "evaluate-nab", mixinStandardHelpOptions = true,
        description = "Run the job's scoring on every labelled timestamp,value CSV under --data and score the "
                + "anomaly_score column with NAB's algorithm (threshold optimised per profile over all files, "
                + "normalised between the null and the perfect detector). Prints a per-file table, then one JSON line.")
final class EvaluateNabCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", description = "Folder of timestamp,value CSV files (e.g. data/nab-aws or NAB's data/).")
    Path data;

    @Option(names = "--windows", required = true,
            description = "NAB combined_windows.json (keys = paths relative to --data) or the shipped labels.json.")
    Path windows;

    @Option(names = "--profile", defaultValue = "standard",
            description = "Profile of the per-file table: standard, reward_low_FP_rate or reward_low_FN_rate. "
                    + "Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--results",
            description = "Score a NAB detector's results folder (results/<detector>, CSVs with an anomaly_score "
                    + "column) instead of running the job.")
    Path results;

    @Option(names = "--thresholds",
            description = "With --results: score at the thresholds of NAB's config/thresholds.json for this detector "
                    + "instead of optimising them.")
    Path thresholds;

    @Mixin
    JobConfigMixin job;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Profile tableProfile = Profile.byName(profile);
        NabLabels labels = NabLabels.read(windows);
        List<DetectorFile> files;
        String detector;
        if (results != null) {
            files = DetectorResults.read(results, labels);
            detector = results.toAbsolutePath().normalize().getFileName().toString();
        } else {
            if (data == null) {
                throw new ParameterException(spec.commandLine(), "give --data (or --results)");
            }
            JobDetector run = JobDetector.run(data, labels, job.configuration());
            files = run.anomalyScores();
            detector = "patchcast/" + job.model;
        }
        CorpusScorer scorer = new CorpusScorer();
        List<ProfileScore> scores = new ArrayList<>();
        JsonNode published = thresholds == null ? null
                : new ObjectMapper().readTree(thresholds.toFile()).path(detector);
        for (Profile p : Profile.ALL) {
            if (published != null) {
                JsonNode t = published.path(p.name()).path("threshold");
                if (!t.isNumber()) {
                    throw new ParameterException(spec.commandLine(),
                            thresholds + " has no threshold for " + detector + "/" + p.name());
                }
                scores.add(scorer.scoreAt(files, p, t.asDouble()));
            } else {
                scores.add(scorer.score(files, p));
            }
        }
        ProfileScore table = scores.get(Profile.ALL.indexOf(tableProfile));
        printTable(out, table);
        out.println(json(detector, files, scores));
        out.flush();
        return 0;
    }

    static void printTable(PrintWriter out, ProfileScore s) {
        out.printf(Locale.ROOT, "%-60s %7s %6s %6s %6s %9s%n", "file (" + s.profile().name() + ")", "windows",
                "TP", "FP", "FN", "raw");
        for (FileScore f : s.files()) {
            out.printf(Locale.ROOT, "%-60s %7d %6d %6d %6d %9.3f%n", f.relativePath(), f.windows(), f.score().tp(),
                    f.score().fp(), f.score().fn(), f.score().score());
        }
        out.printf(Locale.ROOT, "%-60s threshold %.6f raw %.3f null %.3f perfect %.3f score %.2f%n", "total",
                s.threshold(), s.rawScore(), s.nullScore(), s.perfectScore(), s.normalized());
    }

    static String json(String detector, List<DetectorFile> files, List<ProfileScore> scores) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "{\"detector\":\"%s\",\"files\":%d,\"windows\":%d", detector,
                files.size(), files.stream().mapToInt(f -> f.windows().size()).sum()));
        for (ProfileScore s : scores) {
            sb.append(String.format(Locale.ROOT, ",\"%s\":{\"score\":%.4f,\"threshold\":%s}", s.profile().name(),
                    s.normalized(), s.threshold()));
        }
        return sb.append('}').toString();
    }
}
