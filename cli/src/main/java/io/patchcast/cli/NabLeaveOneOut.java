package io.patchcast.cli;

import io.patchcast.cli.data.NabLabels;
import io.patchcast.cli.nab.CorpusScorer;
import io.patchcast.cli.nab.DetectorFile;
import io.patchcast.cli.nab.Profile;
import io.patchcast.cli.nab.ProfileScore;
import io.patchcast.job.alert.AlertPolicy;
import io.patchcast.job.config.AnomalyOptions;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.models.api.Forecaster;
import io.patchcast.store.ModelRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    static void run(Path data, NabLabels labels, Configuration base, int skipRows, PrintWriter out) throws Exception {
        Profile profile = Profile.STANDARD;
        CorpusScorer scorer = new CorpusScorer();
        List<Params> params = new ArrayList<>();
        List<double[]> pageRaw = new ArrayList<>(); // per params: raw score of each file
        List<List<DetectorFile>> scoreRuns = new ArrayList<>();
        List<DetectorFile> names = null;
        try (Forecaster opened = ModelRegistry.open(base.get(InferenceOptions.MODEL), base.get(InferenceOptions.DEVICE),
                base.get(InferenceOptions.ENGINE_THREADS))) {
            Forecaster model = new MemoForecaster(opened); // the anomaly parameters do not change the forecasts
            for (Params score : scoreGrid()) {
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
                JobDetector d = JobDetector.run(data, labels, c, model, skipRows);
                names = d.anomalyScores();
                scoreRuns.add(names);
                for (double t : THRESHOLDS) {
                    for (AlertPolicy p : alertGrid()) {
                        double[] raw = new double[d.runs().size()];
                        for (int i = 0; i < raw.length; i++) {
                            raw[i] = scorer.scoreAt(List.of(d.alertPages(i, t, p)), profile, 0.5).rawScore();
                        }
                        params.add(new Params(score.shortWindow(), score.history(), score.surprisePower(),
                                score.seasonalTolerance(), score.rangeTolerance(),
                                score.levelTolerance(), score.shapeTolerance(), score.noveltyHold(), t, p));
                        pageRaw.add(raw);
                    }
                }
                out.printf(Locale.ROOT, "ran %s%n", score.describe());
                out.flush();
            }
        }
        int nFiles = names.size();
        // normalisation over all files (null and perfect do not depend on the detector)
        ProfileScore ref = scorer.scoreAt(names, profile, Double.POSITIVE_INFINITY);

        out.printf(Locale.ROOT, "%-45s %9s %9s  %s%n", "held-out file", "score raw", "pages raw", "alert parameters chosen on the other files");
        double scoreHeldOut = 0;
        double pagesHeldOut = 0;
        for (int i = 0; i < nFiles; i++) {
            // anomaly_score: best (score parameters, NAB threshold) on the other files
            double bestTrain = Double.NEGATIVE_INFINITY;
            double heldScore = 0;
            for (List<DetectorFile> run : scoreRuns) {
                List<DetectorFile> train = without(run, i);
                ProfileScore s = scorer.score(train, profile);
                if (s.rawScore() > bestTrain) {
                    bestTrain = s.rawScore();
                    heldScore = scorer.scoreAt(List.of(run.get(i)), profile, s.threshold()).rawScore();
                }
            }
            scoreHeldOut += heldScore;
            int best = bestPages(pageRaw, i);
            pagesHeldOut += pageRaw.get(best)[i];
            out.printf(Locale.ROOT, "%-45s %9.3f %9.3f  %s%n", names.get(i).relativePath(), heldScore,
                    pageRaw.get(best)[i], params.get(best).describe());
        }
        double scoreLoo = ProfileScore.normalize(scoreHeldOut, ref.nullScore(), ref.perfectScore());
        double pagesLoo = ProfileScore.normalize(pagesHeldOut, ref.nullScore(), ref.perfectScore());
        Params byPages = params.get(bestPages(pageRaw, -1));
        // The hold only changes what the rules' later points score, so the alert pages hardly see it:
        // it is chosen on the anomaly_score column, among the runs with the other parameters the pages chose.
        List<Params> grid = scoreGrid();
        int bestHold = byPages.noveltyHold();
        double bestHoldRaw = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < grid.size(); r++) {
            Params g = grid.get(r);
            if (g.shortWindow() == byPages.shortWindow() && g.history() == byPages.history()
                    && g.surprisePower() == byPages.surprisePower()
                    && g.seasonalTolerance().equals(byPages.seasonalTolerance()) && g.rangeTolerance() == byPages.rangeTolerance()
                    && g.levelTolerance() == byPages.levelTolerance() && g.shapeTolerance() == byPages.shapeTolerance()) {
                double raw = scorer.score(scoreRuns.get(r), profile).rawScore();
                if (raw > bestHoldRaw + 1e-12) {
                    bestHoldRaw = raw;
                    bestHold = g.noveltyHold();
                }
            }
        }
        int all = params.indexOf(new Params(byPages.shortWindow(), byPages.history(), byPages.surprisePower(),
                byPages.seasonalTolerance(),
                byPages.rangeTolerance(), byPages.levelTolerance(), byPages.shapeTolerance(), bestHold, byPages.threshold(),
                byPages.policy()));
        double pagesIn = 0;
        for (double v : pageRaw.get(all)) {
            pagesIn += v;
        }
        Params chosen = params.get(all);
        out.printf(Locale.ROOT, "chosen on all %d files by the alert pages: %s%n", nFiles, byPages.describe());
        out.printf(Locale.ROOT, "novelty hold chosen on all %d files by anomaly_score (NAB threshold), the other parameters as the pages chose: %d%n",
                nFiles, bestHold);
        out.printf(Locale.ROOT, "the defaults to ship: %s%n", chosen.describe());
        out.println(String.format(Locale.ROOT,
                "{\"files\":%d,\"profile\":\"standard\",\"anomaly_score_held_out\":%.2f,\"alert_pages_held_out\":%.2f,"
                        + "\"alert_pages_in_sample\":%.2f,\"defaults\":{\"short-window\":%d,\"history\":%d,\"surprise-power\":%s,"
                        + "\"seasonal-tolerance\":\"%s\",\"range-tolerance\":%s,\"level-tolerance\":%s,\"shape-tolerance\":%s,\"novelty-hold\":%d,\"threshold\":%.2f,"
                        + "\"k\":%d,\"n\":%d,\"recover-after\":%d,\"cooldown\":\"%s\"}}",
                nFiles, scoreLoo, pagesLoo, ProfileScore.normalize(pagesIn, ref.nullScore(), ref.perfectScore()),
                chosen.shortWindow(), chosen.history(), chosen.surprisePower(), chosen.seasonalTolerance(), chosen.rangeTolerance(), chosen.levelTolerance(), chosen.shapeTolerance(), chosen.noveltyHold(), chosen.threshold(), chosen.policy().k(), chosen.policy().n(),
                chosen.policy().recoverAfter(), chosen.policy().cooldown()));
        out.flush();
    }

    /** The parameters with the best summed raw score over all files except {@code heldOut} (-1: none held out); ties: first. */
    static int bestPages(List<double[]> raw, int heldOut) {
        int best = -1;
        double bestSum = Double.NEGATIVE_INFINITY;
        for (int p = 0; p < raw.size(); p++) {
            double sum = 0;
            for (int i = 0; i < raw.get(p).length; i++) {
                if (i != heldOut) {
                    sum += raw.get(p)[i];
                }
            }
            if (sum > bestSum + 1e-12) {
                bestSum = sum;
                best = p;
            }
        }
        return best;
    }

    private static <T> List<T> without(List<T> list, int i) {
        List<T> out = new ArrayList<>(list);
        out.remove(i);
        return out;
    }
}
