package io.patchcast.cli.nab;

/** A file's raw score at the corpus threshold (a row of NAB's {@code <detector>_<profile>_scores.csv}). */
public record FileScore(String relativePath, int windows, ThresholdScore score) {}
