package io.patchcast.cli.nab;

/**
 * A file's raw score at the corpus threshold (a row of NAB's {@code <detector>_<profile>_scores.csv}),
 * with the file's share of the normalisation: {@code nullScore} is its raw score when nothing is detected,
 * {@code perfectScore} the tpWeight of each of its windows.
 */
public record FileScore(String relativePath, int windows, ThresholdScore score, double nullScore,
        double perfectScore) {}
