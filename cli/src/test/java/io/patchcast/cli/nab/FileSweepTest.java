package io.patchcast.cli.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.patchcast.cli.data.NabInput;
import io.patchcast.cli.data.NabLabels;
import io.patchcast.cli.report.TimeWindow;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link FileSweep} scores a set of detection rows as {@link Sweeper#scoreAt} scores the dense column
 * with 1 at those rows: on {@link SweeperTest}'s hand-computed file, and on random detections in the
 * shipped NAB files under every profile.
 */
class FileSweepTest {

    static final Path NAB = Path.of("..", "data", "nab-aws");

    @Test
    void handComputedCasesScoreAsTheDenseColumn() {
        FileSweep sweep = SweeperTest.STANDARD.sweep(SweeperTest.timestamps(), SweeperTest.WINDOW, "f.csv");
        assertThat(sweep.rows()).isEqualTo(20);
        // SweeperTest: a detection at the window start earns 1, a miss costs 1, and probation is rows 0..2
        assertThat(sweep.score(new int[] {10})).isCloseTo(1.0, within(1e-12));
        assertThat(sweep.score(new int[] {})).isEqualTo(-1.0);
        assertThat(sweep.score(new int[] {1})).isEqualTo(-1.0);
        int[][] cases = {{10}, {14}, {10, 12}, {12, 10}, {5}, {5, 10}, {16}, {19}, {1, 16}, {}, {3, 4, 11, 17}};
        for (int[] rows : cases) {
            assertThat(sweep.score(rows)).as("rows %s", Arrays.toString(rows))
                    .isCloseTo(SweeperTest.score(SweeperTest.STANDARD, rows), within(1e-12));
        }
    }

    @Test
    void aWindowWhollyInProbationIsNeitherHitNorMissed() {
        List<TimeWindow> early = List.of(new TimeWindow(0, 2 * SweeperTest.MIN));
        FileSweep sweep = SweeperTest.STANDARD.sweep(SweeperTest.timestamps(), early, "f.csv");
        assertThat(sweep.score(new int[] {})).isEqualTo(0.0);
        assertThat(sweep.score(new int[] {1})).isEqualTo(0.0);
        // past the window: a false positive at the sigmoid of its distance, as the dense column scores it
        double[] dense = new double[20];
        dense[4] = 1.0;
        double expected = SweeperTest.STANDARD.scoreAt(
                SweeperTest.STANDARD.calcSweepScore(SweeperTest.timestamps(), dense, early, "f.csv"), 0.5).score();
        assertThat(expected).isLessThan(0.0);
        assertThat(sweep.score(new int[] {4})).isCloseTo(expected, within(1e-12));
    }

    @Test
    void randomDetectionsInTheShippedFilesScoreAsTheDenseColumnUnderEveryProfile() throws Exception {
        NabLabels labels = NabLabels.read(NAB.resolve("labels.json"));
        Map<String, String> keys = labels.keysOf(NabInput.list(NAB));
        List<NabInput.SeriesFile> files = NabInput.read(NAB, keys.keySet());
        assertThat(files).hasSize(17);
        SplittableRandom random = new SplittableRandom(7);
        int compared = 0;
        for (NabInput.SeriesFile f : files) {
            long[] ts = f.csv().timestamps();
            List<TimeWindow> windows = labels.windowsOf(keys.get(f.relative()));
            for (Profile profile : Profile.ALL) {
                Sweeper sweeper = new Sweeper(profile.costMatrix());
                FileSweep sweep = sweeper.sweep(ts, windows, f.relative());
                for (int trial = 0; trial < 40; trial++) {
                    // a few rows anywhere, or a few around a window (hits, misses and near misses)
                    int from = 0;
                    int to = ts.length;
                    if (trial % 2 == 1 && !windows.isEmpty()) {
                        TimeWindow w = windows.get(random.nextInt(windows.size()));
                        from = Math.max(0, rowAt(ts, w.startMillis()) - 50);
                        to = Math.min(ts.length, rowAt(ts, w.endMillis()) + 50);
                    }
                    int[] rows = random.ints(random.nextInt(0, 12), from, to).distinct().toArray();
                    double[] dense = new double[ts.length];
                    for (int r : rows) {
                        dense[r] = 1.0;
                    }
                    double expected = sweeper.scoreAt(sweeper.calcSweepScore(ts, dense, windows, f.relative()), 0.5)
                            .score();
                    assertThat(sweep.score(rows)).as("%s %s rows %s", f.relative(), profile.name(),
                            Arrays.toString(rows)).isCloseTo(expected, within(1e-9));
                    compared++;
                }
            }
        }
        assertThat(compared).isEqualTo(17 * 3 * 40);
    }

    private static int rowAt(long[] ts, long t) {
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] >= t) {
                return i;
            }
        }
        return ts.length - 1;
    }
}
