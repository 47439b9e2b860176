package io.patchcast.cli.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.patchcast.cli.report.TimeWindow;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Corpus scoring on two 20-row files (see {@link SweeperTest} for the per-file arithmetic). */
class CorpusScorerTest {

    static final long MIN = SweeperTest.MIN;

    static DetectorFile file(String name, List<TimeWindow> windows, double... byRow) {
        double[] a = new double[20];
        for (int i = 0; i + 1 < byRow.length; i += 2) {
            a[(int) byRow[i]] = byRow[i + 1];
        }
        return new DetectorFile(name, SweeperTest.timestamps(), a, windows);
    }

    // a.csv: window rows 10..14, hit at its start with score 0.7; b.csv: window rows 10..14 with
    // a hit at its end (score 0.6) and a false positive at row 5 (score 0.9).
    static final List<DetectorFile> CORPUS = List.of(
            file("a.csv", SweeperTest.WINDOW, 10, 0.7),
            file("b.csv", SweeperTest.WINDOW, 14, 0.6, 5, 0.9));

    @Test
    void normalisesBetweenTheNullAndThePerfectDetector() {
        // thresholds: 1.1 -> -2; 0.9 -> -2.11; 0.7 -> 1 - 1 - 0.11 = -0.11;
        // 0.6 -> 1 + 0.468387 - 0.11 = 1.358387 (best); 0 -> every row fires (worse)
        ProfileScore s = new CorpusScorer().score(CORPUS, Profile.STANDARD);
        double endHit = Math.tanh(0.5) / Math.tanh(2.5);
        assertThat(s.threshold()).isEqualTo(0.6);
        assertThat(s.rawScore()).isCloseTo(1 + endHit - 0.11, within(1e-12));
        assertThat(s.nullScore()).isEqualTo(-2.0);
        assertThat(s.perfectScore()).isEqualTo(2.0);
        // 100 * (1.358387 + 2) / 4 = 83.9597
        assertThat(s.normalized()).isCloseTo(100 * (3 + endHit - 0.11) / 4, within(1e-9));
        assertThat(s.files().get(0).score().score()).isCloseTo(1.0, within(1e-12));
        assertThat(s.files().get(1).score().score()).isCloseTo(endHit - 0.11, within(1e-12));
    }

    @Test
    void lowFnProfileDoublesTheNullBaseline() {
        // null = 2 windows * -2 = -4; perfect = 2; at 0.6: 1.358387 -> 100 * 5.358387 / 6 = 89.3065
        ProfileScore s = new CorpusScorer().score(CORPUS, Profile.REWARD_LOW_FN_RATE);
        double endHit = Math.tanh(0.5) / Math.tanh(2.5);
        assertThat(s.nullScore()).isEqualTo(-4.0);
        assertThat(s.normalized()).isCloseTo(100 * (4 + 1 + endHit - 0.11) / 6, within(1e-9));
    }

    @Test
    void aFixedThresholdIsAppliedToEveryFile() {
        // at 0.7 b.csv's end hit (0.6) is below the threshold: a.csv 1, b.csv -1 - 0.11
        ProfileScore s = new CorpusScorer().scoreAt(CORPUS, Profile.STANDARD, 0.7);
        assertThat(s.rawScore()).isCloseTo(-0.11, within(1e-12));
        assertThat(s.normalized()).isCloseTo(100 * 1.89 / 4, within(1e-9));
    }

    @Test
    void perfectDetectorScores100AndNullScores0() {
        List<DetectorFile> perfect = List.of(file("a.csv", SweeperTest.WINDOW, 10, 1.0),
                file("b.csv", SweeperTest.WINDOW, 10, 1.0));
        assertThat(new CorpusScorer().score(perfect, Profile.STANDARD).normalized()).isCloseTo(100, within(1e-9));
        List<DetectorFile> none = List.of(file("a.csv", SweeperTest.WINDOW), file("b.csv", SweeperTest.WINDOW));
        assertThat(new CorpusScorer().scoreAt(none, Profile.STANDARD, 0.5).normalized()).isEqualTo(0.0);
    }

    @Test
    void foldersAreSummedAtTheCorpusThresholdAndNormalisedAlone() {
        // CORPUS under two folders plus a third folder with a file that has no window and one false positive
        List<DetectorFile> corpus = List.of(
                file("x/a.csv", SweeperTest.WINDOW, 10, 0.7),
                file("y/z/b.csv", SweeperTest.WINDOW, 14, 0.6, 5, 0.9),
                file("quiet.csv", List.of(), 8, 0.95));
        ProfileScore s = new CorpusScorer().scoreAt(corpus, Profile.STANDARD, 0.6);
        List<FolderScore> f = FolderScore.of(s);
        double endHit = Math.tanh(0.5) / Math.tanh(2.5);
        assertThat(f).extracting(FolderScore::folder).containsExactly("x", "y/z", ".");
        // x: the start hit, raw 1 against null -1 and perfect 1
        assertThat(f.get(0).rawScore()).isCloseTo(1.0, within(1e-12));
        assertThat(f.get(0).normalized()).isCloseTo(100.0, within(1e-9));
        // y/z: the end hit and a false positive: 100 * (endHit - 0.11 + 1) / 2
        assertThat(f.get(1).tp()).isEqualTo(1);
        assertThat(f.get(1).fp()).isEqualTo(1);
        assertThat(f.get(1).normalized()).isCloseTo(100 * (endHit - 0.11 + 1) / 2, within(1e-9));
        // no window: a raw score (one false positive far from any window costs the full 0.11) but no NAB score
        assertThat(f.get(2).windows()).isZero();
        assertThat(f.get(2).rawScore()).isCloseTo(-0.11, within(1e-12));
        assertThat(f.get(2).normalized()).isNaN();
        assertThat(f.stream().mapToDouble(FolderScore::rawScore).sum()).isCloseTo(s.rawScore(), within(1e-12));
    }
}
