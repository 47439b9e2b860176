package io.patchcast.cli.nab;

import java.util.List;

/**
 * A detector's result on a corpus under one profile, as NAB's runner reports it.
 *
 * @param threshold the one threshold used for every file
 * @param rawScore sum of the files' raw scores at {@code threshold}
 * @param nullScore raw score of a detector that never detects: every window missed
 * @param perfectScore raw score of a detector that finds every window at its start: tpWeight per window
 * @param normalized 100 * (raw - null) / (perfect - null): 0 = null detector, 100 = perfect
 */
public record ProfileScore(Profile profile, double threshold, double rawScore, double nullScore, double perfectScore,
        double normalized, List<FileScore> files) {

    public ProfileScore {
        files = List.copyOf(files);
    }

    public static double normalize(double raw, double nullScore, double perfectScore) {
        return 100.0 * (raw - nullScore) / (perfectScore - nullScore);
    }
}
