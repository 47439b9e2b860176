package io.patchcast.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchcast.cli.data.NabInput;
import io.patchcast.cli.data.NabLabels;
import io.patchcast.cli.nab.CorpusScorer;
import io.patchcast.cli.nab.DetectorFile;
import io.patchcast.cli.nab.DetectorResults;
import io.patchcast.cli.nab.FileScore;
import io.patchcast.cli.nab.FolderScore;
import io.patchcast.cli.nab.Profile;
import io.patchcast.cli.nab.ProfileScore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
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
                    + "column) instead of running the job (so without --data, --model, -c, --skip-rows or --loo).")
    Path results;

    @Option(names = "--thresholds",
            description = "With --results: score at the thresholds of NAB's config/thresholds.json for this detector "
                    + "instead of optimising them.")
    Path thresholds;

    @Option(names = "--loo",
            description = "Leave-one-file-out: choose the score parameters, flag threshold and alert policy on all "
                    + "files but one, score that one; prints the held-out standard scores and the parameters chosen "
                    + "on all files (how the shipped defaults were chosen). Standard profile; not with --results or --thresholds.")
    boolean loo;

    @Option(names = "--skip-rows", defaultValue = "0", split = ",", paramLabel = "N[,N...]",
            description = "Run every file without its first N rows, and with the windows that start after them "
                    + "only: how much the score depends on where the files start (README, Anomaly quality). "
                    + "With --loo, a list (e.g. 0,12,144) runs the search on every file at each of these starts. "
                    + "Default: ${DEFAULT-VALUE}.")
    int[] skipRows;

    @Mixin
    JobConfigMixin job;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Profile tableProfile = Profile.byName(profile);
        if (results == null && data == null) {
            throw new ParameterException(spec.commandLine(), "give --data (or --results)");
        }
        checkCombinations(tableProfile);
        NabLabels labels = NabLabels.read(windows);
        // everything that can be checked is checked before the long work
        Configuration conf = results == null ? job.configuration() : null;
        String detector = results != null ? results.toAbsolutePath().normalize().getFileName().toString()
                : "patchcast/" + job.model();
        double[] published = thresholds == null ? null : publishedThresholds(detector);
        List<String> unmatched = labels.unmatchedKeys(results != null ? DetectorResults.dataPaths(results)
                : NabInput.list(data));
        if (!unmatched.isEmpty()) {
            spec.commandLine().getErr().printf("evaluate-nab: warning: %d key(s) of %s match no file under %s: %s%n",
                    unmatched.size(), windows, results != null ? results : data, String.join(", ", unmatched));
            spec.commandLine().getErr().flush();
        }
        List<DetectorFile> files;
        List<DetectorFile> pages = null;
        if (results != null) {
            files = DetectorResults.read(results, labels);
        } else {
            if (loo) {
                NabLeaveOneOut.run(data, labels, conf, skipRows, out);
                return 0;
            }
            JobDetector run = JobDetector.run(data, labels, conf, skipRows[0]);
            files = run.anomalyScores();
            pages = run.alertPages();
        }
        CorpusScorer scorer = new CorpusScorer();
        List<ProfileScore> scores = new ArrayList<>();
        for (int i = 0; i < Profile.ALL.size(); i++) {
            Profile p = Profile.ALL.get(i);
            scores.add(published != null ? scorer.scoreAt(files, p, published[i]) : scorer.score(files, p));
        }
        ProfileScore table = scores.get(Profile.ALL.indexOf(tableProfile));
        if (pages != null) {
            // alert pages are 0/1: every page is a detection, no threshold to optimise
            List<ProfileScore> pageScores = new ArrayList<>();
            for (Profile p : Profile.ALL) {
                pageScores.add(scorer.scoreAt(pages, p, 0.5));
            }
            printTable(out, table, pageScores.get(Profile.ALL.indexOf(tableProfile)));
            out.println(json(detector, files, scores, pageScores));
        } else {
            printTable(out, table, null);
            out.println(json(detector, files, scores, null));
        }
        out.flush();
        return 0;
    }

    /**
     * Options that would be silently ignored in the chosen mode are usage errors: with {@code
     * --results} nothing of the job runs (so no {@code --loo}, {@code --data}, {@code --model}, {@code
     * -c} or {@code --skip-rows}); {@code --loo} chooses its own thresholds and scores the standard
     * profile.
     */
    private void checkCombinations(Profile tableProfile) {
        for (int n : skipRows) {
            if (n < 0) {
                throw new ParameterException(spec.commandLine(), "--skip-rows must be 0 or more, got " + n);
            }
        }
        if (Arrays.stream(skipRows).distinct().count() < skipRows.length) {
            throw new ParameterException(spec.commandLine(), "--skip-rows lists a start twice: "
                    + Arrays.toString(skipRows));
        }
        if (skipRows.length > 1 && !loo) {
            throw new ParameterException(spec.commandLine(), "several --skip-rows values need --loo (without it, "
                    + "run evaluate-nab once per start)");
        }
        if (results != null) {
            if (loo) {
                throw new ParameterException(spec.commandLine(), "--loo needs the job's scores (it runs the job on "
                        + "--data with each candidate setting); it cannot be used with --results");
            }
            List<String> unused = new ArrayList<>();
            if (data != null) {
                unused.add("--data");
            }
            if (job.modelOption != null) {
                unused.add("--model");
            }
            if (!job.conf.isEmpty()) {
                unused.add("-c");
            }
            if (skipRows.length != 1 || skipRows[0] != 0) {
                unused.add("--skip-rows");
            }
            if (!unused.isEmpty()) {
                throw new ParameterException(spec.commandLine(), String.join(", ", unused)
                        + " cannot be used with --results: the detector's anomaly_score column is scored as it is, "
                        + "the job does not run");
            }
        }
        if (loo && thresholds != null) {
            throw new ParameterException(spec.commandLine(),
                    "--thresholds cannot be used with --loo: leave-one-out chooses the thresholds itself");
        }
        if (loo && tableProfile != Profile.STANDARD) {
            throw new ParameterException(spec.commandLine(), "--profile " + tableProfile.name()
                    + " cannot be used with --loo: leave-one-out scores the standard profile");
        }
    }

    /** The thresholds of {@code detector} in the --thresholds file, one per profile of {@link Profile#ALL}. */
    private double[] publishedThresholds(String detector) throws IOException {
        if (!Files.isRegularFile(thresholds)) {
            throw new ParameterException(spec.commandLine(), "--thresholds " + thresholds + ": no such file");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(thresholds));
        } catch (JsonProcessingException e) {
            throw new IOException(thresholds + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        double[] t = new double[Profile.ALL.size()];
        for (int i = 0; i < t.length; i++) {
            Profile p = Profile.ALL.get(i);
            JsonNode n = root == null ? null : root.path(detector).path(p.name()).path("threshold");
            if (n == null || !n.isNumber()) {
                throw new ParameterException(spec.commandLine(),
                        thresholds + " has no threshold for " + detector + "/" + p.name());
            }
            t[i] = n.asDouble();
        }
        return t;
    }

    /** Per file: the anomaly_score column at the corpus threshold; with {@code pages}, the alert pages too. */
    static void printTable(PrintWriter out, ProfileScore s, ProfileScore pages) {
        out.printf(Locale.ROOT, "%-40s %7s | %-26s |%s%n", "", "", "anomaly_score at threshold",
                pages == null ? "" : " alert pages");
        out.printf(Locale.ROOT, "%-40s %7s | %5s %5s %5s %8s |%s%n", "file (" + s.profile().name() + ")", "windows",
                "TP", "FP", "FN", "raw", pages == null ? "" : String.format(Locale.ROOT, " %5s %5s %8s", "TP", "FP", "raw"));
        for (int i = 0; i < s.files().size(); i++) {
            FileScore f = s.files().get(i);
            String p = "";
            if (pages != null) {
                FileScore g = pages.files().get(i);
                p = String.format(Locale.ROOT, " %5d %5d %8.3f", g.score().tp(), g.score().fp(), g.score().score());
            }
            out.printf(Locale.ROOT, "%-40s %7d | %5d %5d %5d %8.3f |%s%n", f.relativePath(), f.windows(),
                    f.score().tp(), f.score().fp(), f.score().fn(), f.score().score(), p);
        }
        out.printf(Locale.ROOT, "%-40s %7s | raw %.3f at threshold %.4f |%s%n", "total", "", s.rawScore(),
                s.threshold(), pages == null ? "" : String.format(Locale.ROOT, " raw %.3f", pages.rawScore()));
        out.printf(Locale.ROOT, "%-40s %7s | %26.2f |%s%n", "NAB score (null " + fmt(s.nullScore()) + ", perfect "
                + fmt(s.perfectScore()) + ")", "", s.normalized(),
                pages == null ? "" : String.format(Locale.ROOT, " %14.2f", pages.normalized()));
        printFolders(out, s, pages);
    }

    /**
     * With files in more than one folder (NAB's data kinds), each folder's sums and NAB score at the
     * corpus threshold: where the detector is strong and where it is weak.
     */
    static void printFolders(PrintWriter out, ProfileScore s, ProfileScore pages) {
        List<FolderScore> folders = FolderScore.of(s);
        if (folders.size() < 2) {
            return;
        }
        List<FolderScore> pageFolders = pages == null ? null : FolderScore.of(pages);
        out.printf(Locale.ROOT, "%-40s %7s | %-33s |%s%n", "by folder, at the corpus threshold", "",
                "anomaly_score", pages == null ? "" : " alert pages");
        out.printf(Locale.ROOT, "%-34s %5s %7s | %5s %5s %5s %8s %6s |%s%n", "folder", "files", "windows", "TP", "FP",
                "FN", "raw", "score", pages == null ? "" : String.format(Locale.ROOT, " %5s %5s %8s %6s", "TP", "FP",
                "raw", "score"));
        for (int i = 0; i < folders.size(); i++) {
            FolderScore f = folders.get(i);
            String p = "";
            if (pageFolders != null) {
                FolderScore g = pageFolders.get(i);
                p = String.format(Locale.ROOT, " %5d %5d %8.3f %6s", g.tp(), g.fp(), g.rawScore(), score(g));
            }
            out.printf(Locale.ROOT, "%-34s %5d %7d | %5d %5d %5d %8.3f %6s |%s%n", f.folder(), f.files(), f.windows(),
                    f.tp(), f.fp(), f.fn(), f.rawScore(), score(f), p);
        }
    }

    private static String score(FolderScore f) {
        return Double.isNaN(f.normalized()) ? "-" : String.format(Locale.ROOT, "%.2f", f.normalized());
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.0f", d);
    }

    static String json(String detector, List<DetectorFile> files, List<ProfileScore> scores, List<ProfileScore> pages) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "{\"detector\":\"%s\",\"files\":%d,\"windows\":%d", detector,
                files.size(), files.stream().mapToInt(f -> f.windows().size()).sum()));
        for (ProfileScore s : scores) {
            sb.append(String.format(Locale.ROOT, ",\"%s\":{\"score\":%s,\"threshold\":%s}", s.profile().name(),
                    EvaluateCommand.jsonNumber("%.4f", s.normalized()),
                    Double.isFinite(s.threshold()) ? Double.toString(s.threshold()) : "null"));
        }
        if (pages != null) {
            sb.append(",\"alerts\":{");
            for (int i = 0; i < pages.size(); i++) {
                sb.append(String.format(Locale.ROOT, "%s\"%s\":%s", i == 0 ? "" : ",", pages.get(i).profile().name(),
                        EvaluateCommand.jsonNumber("%.4f", pages.get(i).normalized())));
            }
            sb.append('}');
        }
        return sb.append('}').toString();
    }
}
