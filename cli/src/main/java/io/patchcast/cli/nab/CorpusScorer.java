package io.patchcast.cli.nab;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores a detector on a corpus as NAB's runner does (numenta/NAB nab/runner.py {@code optimize},
 * {@code score}, {@code normalize}; nab/optimizer.py): one threshold per profile chosen over all files
 * together, each file scored at it, the total normalised between the null and the perfect detector.
 */
public final class CorpusScorer {

    private final double probationPercent;

    public CorpusScorer(double probationPercent) {
        this.probationPercent = probationPercent;
    }

    public CorpusScorer() {
        this(Sweeper.DEFAULT_PROBATION_PERCENT);
    }

    /** The threshold that maximises the corpus score under {@code profile}. */
    public double optimizeThreshold(List<DetectorFile> files, Profile profile) {
        Sweeper sweeper = new Sweeper(probationPercent, profile.costMatrix());
        return sweeper.optimizeThreshold(points(sweeper, files)).threshold();
    }

    /** NAB's full procedure: optimise the threshold on {@code files}, then score them at it. */
    public ProfileScore score(List<DetectorFile> files, Profile profile) {
        return scoreAt(files, profile, optimizeThreshold(files, profile));
    }

    /** Scores every file at a given threshold (a published one, or one chosen on other files). */
    public ProfileScore scoreAt(List<DetectorFile> files, Profile profile, double threshold) {
        Sweeper sweeper = new Sweeper(probationPercent, profile.costMatrix());
        List<FileScore> perFile = new ArrayList<>(files.size());
        double raw = 0;
        double nullScore = 0;
        double perfect = 0;
        for (DetectorFile f : files) {
            List<AnomalyPoint> pts = sweeper.calcSweepScore(f.timestamps(), f.anomalyScores(), f.windows(),
                    f.relativePath());
            ThresholdScore s = sweeper.scoreAt(pts, threshold);
            double fileNull = sweeper.scoreAt(pts, Double.POSITIVE_INFINITY).score();
            double filePerfect = f.windows().size() * profile.costMatrix().tpWeight();
            perFile.add(new FileScore(f.relativePath(), f.windows().size(), s, fileNull, filePerfect));
            raw += s.score();
            nullScore += fileNull;
            perfect += filePerfect;
        }
        return new ProfileScore(profile, threshold, raw, nullScore, perfect,
                ProfileScore.normalize(raw, nullScore, perfect), perFile);
    }

    private List<AnomalyPoint> points(Sweeper sweeper, List<DetectorFile> files) {
        List<AnomalyPoint> all = new ArrayList<>();
        for (DetectorFile f : files) {
            all.addAll(sweeper.calcSweepScore(f.timestamps(), f.anomalyScores(), f.windows(), f.relativePath()));
        }
        return all;
    }
}
