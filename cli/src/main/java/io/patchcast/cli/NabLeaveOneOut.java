package io.patchcast.cli;

import io.patchcast.cli.data.NabLabels;
import io.patchcast.cli.nab.CorpusScorer;
import io.patchcast.cli.nab.DetectorFile;
import io.patchcast.cli.nab.FileSweep;
import io.patchcast.cli.nab.Profile;
import io.patchcast.cli.nab.ProfileScore;
import io.patchcast.cli.nab.Sweeper;
import io.patchcast.job.alert.AlertPolicy;
import io.patchcast.job.config.AnomalyOptions;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.models.api.Forecaster;
import io.patchcast.store.ModelRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;

/**
 * Leave-one-file-out choice of the anomaly defaults on NAB-labelled files (standard profile): for
 * each file, the parameters are chosen on the other files only and the held-out file is scored with
 * them; the held-out raw scores are summed and normalised as NAB does. Two detectors are tuned:
 * the {@code anomaly_score} column (score parameters and NAB's threshold), and the alert pages (score
 * parameters, flag threshold and alert policy). Finally the parameters the alert pages chose on all
 * files are the ones to ship as defaults, except the novelty hold, which the pages hardly see: it is
 * chosen on all files by the {@code anomaly_score} column, the other score parameters as the pages chose.
 */
final class NabLeaveOneOut {

    static final int[] SHORT_WINDOWS = {1, 2, 3};
    /** 20000 was never chosen in any fold of the earlier runs; dropped to keep the run short. */
    static final int[] HISTORIES = {1000, 3000, 8000};
    /**
     * The power of the averaged surprise: as it is, its square root, its cube root (the
     * Wilson-Hilferty transform of a gamma variable).
     */
    static final double[] SURPRISE_POWERS = {1.0, 0.5, 1.0 / 3};
    /**
     * 30 min, in the grid of earlier runs, was chosen by no fold in the run before the surprise
     * power; dropped to keep the run short.
     */
    static final Duration[] SEASONAL_TOLERANCES = {Duration.ZERO, Duration.ofHours(1), Duration.ofHours(2)};
    /**
     * The novelty rules {range tolerance, level tolerance, novelty hold, shape tolerance}: none
     * (first, so it wins ties), and the range rule at HTM's tolerance, the level rule (window 48,
     * tolerance 0.1) and the shape rule (window 12, tolerance 0.1) with no hold (every point a rule
     * fires on scores 1) or a hold of 24 points; the tolerances and windows are not tuned here. (The
     * runs that added each rule also had the range rule alone, the range and level rules, and a hold
     * of 96; in the run before the surprise power every fold chose all three rules and a hold of 0.)
     */
    static final double[][] NOVELTY = {{0, 0, 0, 0}, {0.05, 0.1, 0, 0.1}, {0.05, 0.1, 24, 0.1}};
    static final int LEVEL_WINDOW = 48;
    static final int SHAPE_WINDOW = 12;
    /** 0.14 to 0.70 by 0.02: the surprise powers below 1 move the useful thresholds down and closer together. */
    static final double[] THRESHOLDS = thresholds(0.14, 0.70, 0.02);
    static final int[][] K_OF_N = {{1, 1}, {2, 3}, {3, 5}};
    static final int[] RECOVER_AFTER = {6, 24, 72};
    static final Duration[] COOLDOWNS = {Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(8), Duration.ofHours(24)};

    /** One point of the grid. */
    record Params(int shortWindow, int history, double surprisePower, Duration seasonalTolerance, double rangeTolerance,
            double levelTolerance, double shapeTolerance, int noveltyHold, double threshold, AlertPolicy policy) {
        String describe() {
            return String.format(Locale.ROOT, "short-window=%d history=%d surprise-power=%s seasonal-tolerance=%s "
                    + "range-tolerance=%s level-tolerance=%s shape-tolerance=%s novelty-hold=%d threshold=%.2f k=%d n=%d "
                    + "recover-after=%d cooldown=%s",
                    shortWindow, history, surprisePower, seasonalTolerance, rangeTolerance, levelTolerance, shapeTolerance,
                    noveltyHold, threshold,
                    policy == null ? 0 : policy.k(), policy == null ? 0 : policy.n(),
                    policy == null ? 0 : policy.recoverAfter(), policy == null ? "-" : policy.cooldown());
        }
    }

    private NabLeaveOneOut() {}

    /** {@code from}, {@code from + step}, ... up to {@code to}, rounded to the step's two decimals. */
    static double[] thresholds(double from, double to, double step) {
        int n = (int) Math.round((to - from) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = Math.round((from + i * step) * 100) / 100.0;
        }
        return t;
    }

    /** The score parameters tried (threshold and policy unset). */
    static List<Params> scoreGrid() {
        List<Params> grid = new ArrayList<>();
        for (double[] novelty : NOVELTY) {
            for (double power : SURPRISE_POWERS) {
                for (Duration tol : SEASONAL_TOLERANCES) {
                    for (int sw : SHORT_WINDOWS) {
                        for (int h : HISTORIES) {
                            grid.add(new Params(sw, h, power, tol, novelty[0], novelty[1], novelty[3], (int) novelty[2],
                                    Double.NaN, null));
                        }
                    }
                }
            }
        }
        return grid;
    }

    /** The alert policies tried. */
    static List<AlertPolicy> alertGrid() {
        List<AlertPolicy> grid = new ArrayList<>();
        for (int[] kn : K_OF_N) {
            for (int rec : RECOVER_AFTER) {
                for (Duration cd : COOLDOWNS) {
                    grid.add(new AlertPolicy(kn[0], kn[1], rec, cd));
                }
            }
        }
        return grid;
    }

    /**
     * Runs the search on the files of {@code data} as they are ({@code skipRows} {0}), or on each file at
     * several starts: without its first N rows for each N of {@code skipRows} (as {@code --skip-rows}). A
     * fold holds out a file at every start; the parameters are chosen on the sum over the other files at
     * every start (one NAB threshold over all of them for {@code anomaly_score}), so a choice that only
     * suits where the files happen to start counts for less. The held-out figures are given per start
     * and as their mean.
     */
    static void run(Path data, NabLabels labels, Configuration base, int[] skipRows, PrintWriter out) throws Exception {
        Profile profile = Profile.STANDARD;
        CorpusScorer scorer = new CorpusScorer();
        List<Params> scoreGrid = scoreGrid();
        List<AlertPolicy> policies = alertGrid();
        int starts = skipRows.length;
        int nTp = THRESHOLDS.length * policies.size();
        List<String> names = null;
        Pages pages = null; // every grid entry's alert pages, per start and file
        List<FileSweep[]> sweeps = new ArrayList<>(); // per start, per file
        double[][] heldScore = null; // [file][start]: the held-out anomaly_score column, as its fold chose
        double[] bestScoreTrain = null; // [file]: the best anomaly_score training raw so far
        double[] scoreAllRaw = new double[scoreGrid.size()]; // anomaly_score on all files and starts
        ProfileScore[] refs = new ProfileScore[starts]; // null and perfect per start
        try (Forecaster opened = ModelRegistry.open(base.get(InferenceOptions.MODEL), base.get(InferenceOptions.DEVICE),
                base.get(InferenceOptions.ENGINE_THREADS))) {
            Forecaster model = new MemoForecaster(opened); // the anomaly parameters do not change the forecasts
            for (int c = 0; c < scoreGrid.size(); c++) {
                Params score = scoreGrid.get(c);
                List<List<DetectorFile>> columns = new ArrayList<>(starts);
                for (int s = 0; s < starts; s++) {
                    JobDetector d = JobDetector.run(data, labels, scoreConfig(base, score), model, skipRows[s], true);
                    int nFiles = d.runs().size();
                    if (names == null) {
                        names = d.runs().stream().map(JobDetector.FileRun::relative).toList();
                        pages = Pages.of(scoreGrid.size() * nTp, starts, nFiles);
                        heldScore = new double[nFiles][starts];
                        bestScoreTrain = new double[nFiles];
                        Arrays.fill(bestScoreTrain, Double.NEGATIVE_INFINITY);
                    }
                    List<DetectorFile> column = d.anomalyScores();
                    if (sweeps.size() == s) {
                        Sweeper sweeper = new Sweeper(profile.costMatrix());
                        FileSweep[] perFile = new FileSweep[nFiles];
                        for (int f = 0; f < nFiles; f++) {
                            JobDetector.FileRun run = d.runs().get(f);
                            perFile[f] = sweeper.sweep(run.timestamps(), run.windows(), run.relative());
                        }
                        sweeps.add(perFile);
                        refs[s] = scorer.scoreAt(column, profile, Double.POSITIVE_INFINITY);
                    }
                    columns.add(column);
                    FileSweep[] perFile = sweeps.get(s);
                    int first = c * nTp;
                    int start = s;
                    Pages filled = pages;
                    // the files are independent: each fills its own entries
                    IntStream.range(0, nFiles).parallel().forEach(f -> {
                        for (int t = 0; t < THRESHOLDS.length; t++) {
                            for (int p = 0; p < policies.size(); p++) {
                                filled.set(first + t * policies.size() + p, start, f,
                                        perFile[f].score(d.alertPageRows(f, THRESHOLDS[t], policies.get(p))));
                            }
                        }
                    });
                }
                // anomaly_score: this configuration's NAB-optimised training score in every fold
                for (int i = 0; i < names.size(); i++) {
                    List<DetectorFile> train = new ArrayList<>();
                    for (List<DetectorFile> column : columns) {
                        train.addAll(without(column, i));
                    }
                    ProfileScore sc = scorer.score(train, profile);
                    if (sc.rawScore() > bestScoreTrain[i]) {
                        bestScoreTrain[i] = sc.rawScore();
                        for (int s = 0; s < starts; s++) {
                            heldScore[i][s] = scorer.scoreAt(List.of(columns.get(s).get(i)), profile, sc.threshold())
                                    .rawScore();
                        }
                    }
                }
                List<DetectorFile> all = new ArrayList<>();
                columns.forEach(all::addAll);
                scoreAllRaw[c] = scorer.score(all, profile).rawScore();
                out.printf(Locale.ROOT, "ran %s%n", score.describe());
                out.flush();
            }
        }
        int nFiles = names.size();

        out.printf(Locale.ROOT, "%-45s %9s %9s  %s%n", "held-out file", "score raw", "pages raw", "alert parameters chosen on the other files");
        double[] scoreHeldOut = new double[starts];
        double[] pagesHeldOut = new double[starts];
        for (int i = 0; i < nFiles; i++) {
            int best = pages.best(i);
            double scoreSum = 0;
            for (int s = 0; s < starts; s++) {
                scoreHeldOut[s] += heldScore[i][s];
                pagesHeldOut[s] += pages.raw(best, s, i);
                scoreSum += heldScore[i][s];
            }
            out.printf(Locale.ROOT, "%-45s %9.3f %9.3f  %s%n", names.get(i), scoreSum, pages.fileRaw(best, i),
                    params(scoreGrid, policies, best).describe());
        }
        double[] scoreLoo = new double[starts];
        double[] pagesLoo = new double[starts];
        for (int s = 0; s < starts; s++) {
            scoreLoo[s] = ProfileScore.normalize(scoreHeldOut[s], refs[s].nullScore(), refs[s].perfectScore());
            pagesLoo[s] = ProfileScore.normalize(pagesHeldOut[s], refs[s].nullScore(), refs[s].perfectScore());
        }
        int bestAll = pages.best(-1);
        Params byPages = params(scoreGrid, policies, bestAll);
        // The hold only changes what the rules' later points score, so the alert pages hardly see it:
        // it is chosen on the anomaly_score column, among the runs with the other parameters the pages chose.
        int bestHold = byPages.noveltyHold();
        double bestHoldRaw = Double.NEGATIVE_INFINITY;
        int chosenConfig = bestAll / nTp;
        for (int r = 0; r < scoreGrid.size(); r++) {
            Params g = scoreGrid.get(r);
            if (g.shortWindow() == byPages.shortWindow() && g.history() == byPages.history()
                    && g.surprisePower() == byPages.surprisePower()
                    && g.seasonalTolerance().equals(byPages.seasonalTolerance()) && g.rangeTolerance() == byPages.rangeTolerance()
                    && g.levelTolerance() == byPages.levelTolerance() && g.shapeTolerance() == byPages.shapeTolerance()) {
                if (scoreAllRaw[r] > bestHoldRaw + 1e-12) {
                    bestHoldRaw = scoreAllRaw[r];
                    bestHold = g.noveltyHold();
                    chosenConfig = r;
                }
            }
        }
        int all = chosenConfig * nTp + bestAll % nTp;
        double[] pagesIn = new double[starts];
        for (int s = 0; s < starts; s++) {
            for (int f = 0; f < nFiles; f++) {
                pagesIn[s] += pages.raw(all, s, f);
            }
            pagesIn[s] = ProfileScore.normalize(pagesIn[s], refs[s].nullScore(), refs[s].perfectScore());
        }
        Params chosen = params(scoreGrid, policies, all);
        String files = starts == 1 ? "all " + nFiles + " files" : "all " + nFiles + " files at " + starts + " starts";
        out.printf(Locale.ROOT, "chosen on %s by the alert pages: %s%n", files, byPages.describe());
        out.printf(Locale.ROOT, "novelty hold chosen on %s by anomaly_score (NAB threshold), the other parameters as the pages chose: %d%n",
                files, bestHold);
        out.printf(Locale.ROOT, "the defaults to ship: %s%n", chosen.describe());
        String byStart = starts == 1 ? ""
                : String.format(Locale.ROOT, "\"skip_rows\":%s,\"anomaly_score_held_out_by_start\":%s,"
                        + "\"alert_pages_held_out_by_start\":%s,\"alert_pages_in_sample_by_start\":%s,",
                        Arrays.toString(skipRows).replace(" ", ""), list(scoreLoo), list(pagesLoo), list(pagesIn));
        out.println(String.format(Locale.ROOT,
                "{\"files\":%d,\"profile\":\"standard\",%s\"anomaly_score_held_out\":%.2f,\"alert_pages_held_out\":%.2f,"
                        + "\"alert_pages_in_sample\":%.2f,\"defaults\":{\"short-window\":%d,\"history\":%d,\"surprise-power\":%s,"
                        + "\"seasonal-tolerance\":\"%s\",\"range-tolerance\":%s,\"level-tolerance\":%s,\"shape-tolerance\":%s,\"novelty-hold\":%d,\"threshold\":%.2f,"
                        + "\"k\":%d,\"n\":%d,\"recover-after\":%d,\"cooldown\":\"%s\"}}",
                nFiles, byStart, mean(scoreLoo), mean(pagesLoo), mean(pagesIn),
                chosen.shortWindow(), chosen.history(), chosen.surprisePower(), chosen.seasonalTolerance(), chosen.rangeTolerance(), chosen.levelTolerance(), chosen.shapeTolerance(), chosen.noveltyHold(), chosen.threshold(), chosen.policy().k(), chosen.policy().n(),
                chosen.policy().recoverAfter(), chosen.policy().cooldown()));
        out.flush();
    }

    /** The job's configuration with the score parameters of {@code score}. */
    private static Configuration scoreConfig(Configuration base, Params score) {
        Configuration c = new Configuration(base);
        c.set(AnomalyOptions.SHORT_WINDOW, score.shortWindow());
        c.set(AnomalyOptions.HISTORY, score.history());
        c.set(AnomalyOptions.SURPRISE_POWER, score.surprisePower());
        c.set(AnomalyOptions.SEASONAL_TOLERANCE, score.seasonalTolerance());
        c.set(AnomalyOptions.RANGE_TOLERANCE, score.rangeTolerance());
        c.set(AnomalyOptions.LEVEL_WINDOW, LEVEL_WINDOW);
        c.set(AnomalyOptions.LEVEL_TOLERANCE, score.levelTolerance());
        c.set(AnomalyOptions.SHAPE_WINDOW, SHAPE_WINDOW);
        c.set(AnomalyOptions.SHAPE_TOLERANCE, score.shapeTolerance());
        c.set(AnomalyOptions.NOVELTY_HOLD, score.noveltyHold());
        return c;
    }

    /** The full parameters of entry {@code index} of the alert pages' grid (score parameters, threshold, policy). */
    private static Params params(List<Params> scoreGrid, List<AlertPolicy> policies, int index) {
        int nTp = THRESHOLDS.length * policies.size();
        Params score = scoreGrid.get(index / nTp);
        int tp = index % nTp;
        return new Params(score.shortWindow(), score.history(), score.surprisePower(), score.seasonalTolerance(),
                score.rangeTolerance(), score.levelTolerance(), score.shapeTolerance(), score.noveltyHold(),
                THRESHOLDS[tp / policies.size()], policies.get(tp % policies.size()));
    }

    /**
     * The alert pages' raw scores of every grid entry, start and file, flat: entry {@code p}, start
     * {@code s}, file {@code f} at {@code (p * starts + s) * files + f}.
     */
    record Pages(double[] raw, int entries, int starts, int files) {
        /** All zero; the size is an int: past 2^31 entries this fails rather than wrapping. */
        static Pages of(int entries, int starts, int files) {
            return new Pages(new double[Math.multiplyExact(Math.multiplyExact(entries, starts), files)], entries,
                    starts, files);
        }

        double raw(int entry, int start, int file) {
            return raw[(entry * starts + start) * files + file];
        }

        void set(int entry, int start, int file, double value) {
            raw[(entry * starts + start) * files + file] = value;
        }

        /** A file's raw score summed over the starts. */
        double fileRaw(int entry, int file) {
            double sum = 0;
            for (int s = 0; s < starts; s++) {
                sum += raw(entry, s, file);
            }
            return sum;
        }

        /** The entry with the best raw score summed over every start of every file but {@code heldOut} (-1: none); ties: first. */
        int best(int heldOut) {
            int best = -1;
            double bestSum = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < entries; p++) {
                double sum = 0;
                for (int s = 0; s < starts; s++) {
                    for (int f = 0; f < files; f++) {
                        if (f != heldOut) {
                            sum += raw(p, s, f);
                        }
                    }
                }
                if (sum > bestSum + 1e-12) {
                    bestSum = sum;
                    best = p;
                }
            }
            return best;
        }
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static String list(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.2f", v[i]));
        }
        return b.append(']').toString();
    }

    private static <T> List<T> without(List<T> list, int i) {
        List<T> out = new ArrayList<>(list);
        out.remove(i);
        return out;
    }
}
