package io.patchcast.cli.nab;

/**
 * The raw NAB score when every scorable row with {@code anomalyScore >= threshold} is a detection
 * (numenta/NAB {@code nab/sweeper.py}, {@code ThresholdScore}); counts are of rows, as NAB's.
 */
public record ThresholdScore(double threshold, double score, int tp, int tn, int fp, int fn, int total) {}
