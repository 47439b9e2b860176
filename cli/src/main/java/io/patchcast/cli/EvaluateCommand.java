package io.patchcast.cli;

import io.patchcast.cli.data.CsvFiles;
import io.patchcast.cli.data.CsvSeries;
import io.patchcast.cli.eval.PointScores;
import io.patchcast.cli.eval.RollingEvaluation;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.job.config.PatchOptions;
import io.patchcast.models.api.Forecaster;
import io.patchcast.store.ModelRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Rolling next-patch evaluation of a model against seasonal naive over timestamp,value CSVs.
 *
 * <p>MASE: MAE of the median divided by the in-sample seasonal-naive MAE of the whole file (period =
 * points per day, or 1). CRPS: from the quantile grid ({@link PointScores}), divided by the mean
 * |value| of the scored points. Aggregates are geometric means over files; coverage is pooled over
 * all scored points.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Rolling next-patch forecasts over timestamp,value CSVs: MASE, CRPS and interval coverage of a "
                + "model and of seasonal naive; prints a table and, last, one JSON line.")
final class EvaluateCommand implements Callable<Integer> {

    /** First forecast origin: two patches of context, the job's warm-up. */
    static final int FIRST_ORIGIN = 2 * PatchOptions.PATCH_SIZE;

    @Option(names = "--data", required = true, arity = "1..*",
            description = "CSV files or folders (searched recursively for *.csv).")
    List<Path> data;

    @Mixin
    JobConfigMixin job;

    @Spec
    CommandSpec spec;

    record FileResult(String name, long points, double mase, double maseNaive, double crps, double crpsNaive,
            PointScores model) {}

    @Override
    public Integer call() throws Exception {
        Configuration conf = job.configuration();
        PrintWriter out = spec.commandLine().getOut();
        List<Path> files = csvFiles(data);
        RollingEvaluation eval = new RollingEvaluation(conf.get(PatchOptions.CONTEXT_LENGTH),
                PatchOptions.PATCH_SIZE, FIRST_ORIGIN, conf.get(InferenceOptions.MAX_BATCH_SIZE));
        List<FileResult> results = new ArrayList<>();
        try (Forecaster model = ModelRegistry.open(conf.get(InferenceOptions.MODEL),
                        conf.get(InferenceOptions.DEVICE), conf.get(InferenceOptions.ENGINE_THREADS));
                Forecaster naive = ModelRegistry.open(ModelRegistry.SEASONAL_NAIVE, "cpu")) {
            for (Path f : files) {
                FileResult r = evaluate(eval, model, naive, f);
                if (r == null) {
                    spec.commandLine().getErr().println("skipped " + f + ": too short or constant");
                } else {
                    results.add(r);
                }
            }
            out.printf("model %s@%s vs %s, %d files, next %d points every %d, context <= %d%n", model.name(),
                    model.version(), naive.name(), results.size(), PatchOptions.PATCH_SIZE, PatchOptions.PATCH_SIZE,
                    conf.get(PatchOptions.CONTEXT_LENGTH));
        }
        print(out, results);
        out.flush();
        return results.isEmpty() ? 1 : 0;
    }

    static FileResult evaluate(RollingEvaluation eval, Forecaster model, Forecaster naive, Path f)
            throws IOException {
        CsvSeries csv = CsvSeries.read(f);
        double scale = RollingEvaluation.naiveScale(csv.values(), RollingEvaluation.season(csv.timestamps()));
        if (!(scale > 0)) {
            return null;
        }
        String key = "evaluate{file=\"" + f.getFileName() + "\"}";
        PointScores m = eval.run(model, key, csv.timestamps(), csv.values());
        PointScores n = eval.run(naive, key, csv.timestamps(), csv.values());
        if (m.count() == 0) {
            return null;
        }
        return new FileResult(f.getFileName().toString(), m.count(), m.mae() / scale, n.mae() / scale,
                m.scaledCrps(), n.scaledCrps(), m);
    }

    static List<Path> csvFiles(List<Path> data) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : data) {
            if (Files.isDirectory(p)) {
                files.addAll(CsvFiles.under(p));
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IOException("no such file or folder: " + p);
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no .csv files under " + String.join(", ", data.stream().map(Path::toString).toList()));
        }
        return files;
    }

    static void print(PrintWriter out, List<FileResult> rs) {
        out.printf("%-44s %6s %8s %8s %8s %8s %6s %6s %6s%n", "file", "points", "MASE", "MASE_sn", "CRPS",
                "CRPS_sn", "cov80", "cov95", "cov99");
        long total = 0;
        long[] hits = new long[PointScores.INTERVALS.length];
        for (FileResult r : rs) {
            out.printf(Locale.ROOT, "%-44s %6d %8.3f %8.3f %8.4f %8.4f %6.3f %6.3f %6.3f%n", r.name(), r.points(),
                    r.mase(), r.maseNaive(), r.crps(), r.crpsNaive(), r.model().coverage(0), r.model().coverage(1),
                    r.model().coverage(2));
            total += r.points();
            for (int i = 0; i < hits.length; i++) {
                hits[i] += r.model().hits(i);
            }
        }
        double mase = geomean(rs.stream().mapToDouble(FileResult::mase).toArray());
        double maseNaive = geomean(rs.stream().mapToDouble(FileResult::maseNaive).toArray());
        double crps = geomean(rs.stream().mapToDouble(FileResult::crps).toArray());
        double crpsNaive = geomean(rs.stream().mapToDouble(FileResult::crpsNaive).toArray());
        double[] cov = new double[hits.length];
        for (int i = 0; i < hits.length; i++) {
            cov[i] = total == 0 ? Double.NaN : (double) hits[i] / total;
        }
        out.printf(Locale.ROOT, "%-44s %6d %8.3f %8.3f %8.4f %8.4f %6.3f %6.3f %6.3f%n", "geometric mean / pooled",
                total, mase, maseNaive, crps, crpsNaive, cov[0], cov[1], cov[2]);
        out.printf(Locale.ROOT, "model / seasonal naive (geometric mean of per-file ratios): MASE %.3f, CRPS %.3f%n",
                mase / maseNaive, crps / crpsNaive);
        out.printf(Locale.ROOT,
                "{\"files\":%d,\"mase\":%s,\"crps\":%s,\"mase_naive\":%s,\"crps_naive\":%s,"
                        + "\"coverage\":{\"0.8\":%s,\"0.95\":%s,\"0.99\":%s}}%n",
                rs.size(), jsonNumber("%.4f", mase), jsonNumber("%.4f", crps), jsonNumber("%.4f", maseNaive),
                jsonNumber("%.4f", crpsNaive), jsonNumber("%.4f", cov[0]), jsonNumber("%.4f", cov[1]),
                jsonNumber("%.4f", cov[2]));
    }

    /** {@code v} in {@code format}, or {@code null} where it is NaN or infinite (JSON has neither). */
    static String jsonNumber(String format, double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "null";
    }

    static double geomean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += Math.log(x);
        }
        return Math.exp(s / xs.length);
    }
}
