package io.patchcast.cli.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.patchcast.cli.report.TimeWindow;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed NAB scores on a 20-row file: rows at minutes 0..19, one window over rows 10..14
 * (width 5). Probation = min(floor(0.15 * 20), 750) = 3 rows (0, 1, 2). Note 2*sigmoid(-5x) - 1 =
 * tanh(-2.5x), so a detection at window position p earns tanh(-2.5p) / tanh(2.5).
 */
class SweeperTest {

    static final long MIN = 60_000;
    static final List<TimeWindow> WINDOW = List.of(new TimeWindow(10 * MIN, 14 * MIN));
    static final Sweeper STANDARD = new Sweeper(Profile.STANDARD.costMatrix());
    static final Sweeper LOW_FN = new Sweeper(Profile.REWARD_LOW_FN_RATE.costMatrix());
    static final Sweeper LOW_FP = new Sweeper(Profile.REWARD_LOW_FP_RATE.costMatrix());

    static long[] timestamps() {
        long[] t = new long[20];
        for (int i = 0; i < t.length; i++) {
            t[i] = i * MIN;
        }
        return t;
    }

    /** Scores 1.0 at the given rows, 0 elsewhere; detections = rows scoring >= 0.5. */
    static double score(Sweeper s, int... detections) {
        double[] a = new double[20];
        for (int i : detections) {
            a[i] = 1.0;
        }
        return s.scoreAt(s.calcSweepScore(timestamps(), a, WINDOW, "f.csv"), 0.5).score();
    }

    @Test
    void scaledSigmoidMatchesNabsDocumentedValues() {
        // nab/sweeper.py docstring: -1 -> 0.98661, -0.5 -> 0.84828, 0 -> 0, 1 -> -0.98661; > 3 -> -1
        assertThat(Sweeper.scaledSigmoid(-1.0)).isCloseTo(Math.tanh(2.5), within(1e-15));
        assertThat(Sweeper.scaledSigmoid(-1.0)).isCloseTo(0.98661, within(1e-5));
        assertThat(Sweeper.scaledSigmoid(-0.5)).isCloseTo(0.84828, within(1e-5));
        assertThat(Sweeper.scaledSigmoid(0.0)).isEqualTo(0.0);
        assertThat(Sweeper.scaledSigmoid(1.0)).isCloseTo(-0.98661, within(1e-5));
        assertThat(Sweeper.scaledSigmoid(3.01)).isEqualTo(-1.0);
    }

    @Test
    void probationIsFifteenPercentCappedAt750Rows() {
        assertThat(STANDARD.probationaryLength(20)).isEqualTo(3.0);
        assertThat(STANDARD.probationaryLength(4032)).isEqualTo(604.0); // floor(604.8)
        assertThat(STANDARD.probationaryLength(22695)).isEqualTo(750.0);
    }

    @Test
    void detectionAtWindowStartEarnsTheFullTpWeight() {
        // row 10: pos = -(14 - 10 + 1) / 5 = -1 -> tanh(2.5) / tanh(2.5) = 1
        assertThat(score(STANDARD, 10)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void detectionAtWindowEndEarnsLittle() {
        // row 14: pos = -(14 - 14 + 1) / 5 = -0.2 -> tanh(0.5) / tanh(2.5) = 0.462117157 / 0.986614298 = 0.468387
        assertThat(score(STANDARD, 14)).isCloseTo(Math.tanh(0.5) / Math.tanh(2.5), within(1e-12));
        assertThat(score(STANDARD, 14)).isCloseTo(0.468387, within(1e-6));
    }

    @Test
    void onlyTheFirstDetectionInAWindowCounts() {
        // rows 10, 12, 14 all in the window: the best (earliest) counts once = 1.0
        assertThat(score(STANDARD, 10, 12, 14)).isCloseTo(1.0, within(1e-12));
        // rows 12 and 14: row 12 is pos -(3)/5 = -0.6 -> tanh(1.5) / tanh(2.5) = 0.905148 / 0.986614 = 0.917429
        assertThat(score(STANDARD, 12, 14)).isCloseTo(Math.tanh(1.5) / Math.tanh(2.5), within(1e-12));
    }

    @Test
    void aMissCostsTheFnWeight() {
        assertThat(score(STANDARD)).isEqualTo(-1.0);
        assertThat(score(LOW_FN)).isEqualTo(-2.0);
    }

    @Test
    void falsePositiveBeforeAnyWindowCostsTheFullFpWeight() {
        // row 5: no window yet -> -1 * 0.11; the window is missed -> -1
        assertThat(score(STANDARD, 5)).isCloseTo(-1.11, within(1e-12));
        assertThat(score(LOW_FP, 5)).isCloseTo(-1.22, within(1e-12));
        // plus a hit at the window start: 1 - 0.11
        assertThat(score(STANDARD, 5, 10)).isCloseTo(0.89, within(1e-12));
    }

    @Test
    void falsePositiveAfterAWindowCostsLessTheCloserItIs() {
        // row 16: distance past the window's right edge (row 14) = |14 - 16| / (5 - 1) = 0.5
        // -> 0.11 * tanh(-1.25) = 0.11 * -0.848284 = -0.0933112; window hit at its start -> 1
        assertThat(score(STANDARD, 10, 16)).isCloseTo(1.0 + 0.11 * Math.tanh(-1.25), within(1e-12));
        // row 19: distance 5 / 4 = 1.25 -> 0.11 * tanh(-3.125) = -0.109569
        assertThat(score(STANDARD, 10, 19)).isCloseTo(1.0 + 0.11 * Math.tanh(-3.125), within(1e-12));
    }

    @Test
    void detectionsInTheProbationaryPeriodAreIgnored() {
        // rows 0..2 are probationary: only the miss counts
        assertThat(score(STANDARD, 0, 1, 2)).isEqualTo(-1.0);
        // row 3 is the first scored row: a false positive before any window
        assertThat(score(STANDARD, 3)).isCloseTo(-1.11, within(1e-12));
    }

    @Test
    void aWindowWhollyInProbationIsNeitherHitNorMissed() {
        List<TimeWindow> early = List.of(new TimeWindow(0, 2 * MIN));
        double[] none = new double[20];
        ThresholdScore s = STANDARD.scoreAt(STANDARD.calcSweepScore(timestamps(), none, early, "f.csv"), 0.5);
        assertThat(s.score()).isEqualTo(0.0);
    }

    @Test
    void aWindowThatStartsOrEndsBetweenRowsIsAnErrorNotASilentMiss() {
        // NAB's sweep would never open this window: its rows' detections would become false positives
        double[] a = new double[20];
        a[11] = 1.0;
        List<TimeWindow> between = List.of(new TimeWindow(10 * MIN + 30_000, 14 * MIN));
        assertThatThrownBy(() -> STANDARD.calcSweepScore(timestamps(), a, between, "f.csv"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("f.csv: window [1970-01-01 00:10:30, 1970-01-01 00:14:00]: its start is not a timestamp"
                        + " of the file (the rows around it are 1970-01-01 00:10:00 and 1970-01-01 00:11:00);"
                        + " a NAB window starts and ends on rows");
        List<TimeWindow> pastTheEnd = List.of(new TimeWindow(10 * MIN, 25 * MIN));
        assertThatThrownBy(() -> STANDARD.calcSweepScore(timestamps(), a, pastTheEnd, "f.csv"))
                .hasMessageContaining("its end is not a timestamp of the file (the file's last row is 1970-01-01 00:19:00)");
    }

    @Test
    void overlappingWindowsAreAnError() {
        List<TimeWindow> overlapping = List.of(new TimeWindow(5 * MIN, 10 * MIN), new TimeWindow(10 * MIN, 14 * MIN));
        assertThatThrownBy(() -> STANDARD.calcSweepScore(timestamps(), new double[20], overlapping, "f.csv"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("f.csv: window [1970-01-01 00:10:00, 1970-01-01 00:14:00] starts before window"
                        + " [1970-01-01 00:05:00, 1970-01-01 00:10:00] ends; windows must not overlap");
        // adjacent windows are fine
        List<TimeWindow> adjacent = List.of(new TimeWindow(5 * MIN, 9 * MIN), new TimeWindow(10 * MIN, 14 * MIN));
        double[] a = new double[20];
        a[5] = 1.0;
        a[10] = 1.0;
        assertThat(STANDARD.scoreAt(STANDARD.calcSweepScore(timestamps(), a, adjacent, "f.csv"), 0.5).tp()).isEqualTo(2);
    }

    @Test
    void thresholdSweepListsEveryDistinctScoreAndTheOptimiserTakesTheBest() {
        // row 5 scores 0.9 (FP -0.11), row 10 scores 0.8 (window start, +1 instead of the miss's -1),
        // row 16 scores 0.5 (FP -0.0933112 after the window), all others 0.
        double[] a = new double[20];
        a[5] = 0.9;
        a[10] = 0.8;
        a[16] = 0.5;
        List<AnomalyPoint> pts = STANDARD.calcSweepScore(timestamps(), a, WINDOW, "f.csv");
        List<ThresholdScore> sweep = STANDARD.calcScoreByThreshold(pts);
        assertThat(sweep).extracting(ThresholdScore::threshold).containsExactly(1.1, 0.9, 0.8, 0.5, 0.0);
        assertThat(sweep.get(0).score()).isEqualTo(-1.0);
        assertThat(sweep.get(1).score()).isCloseTo(-1.11, within(1e-12));
        assertThat(sweep.get(2).score()).isCloseTo(0.89, within(1e-12));
        assertThat(sweep.get(3).score()).isCloseTo(0.89 + 0.11 * Math.tanh(-1.25), within(1e-12));
        // counts at 0.8: 17 scorable rows; window rows 10..14 -> tp 1, fn 4; outside: fp 1 (row 5), tn 11
        assertThat(sweep.get(2)).extracting(ThresholdScore::tp, ThresholdScore::fn, ThresholdScore::fp,
                ThresholdScore::tn, ThresholdScore::total).containsExactly(1, 4, 1, 11, 17);
        ThresholdScore best = STANDARD.optimizeThreshold(pts);
        assertThat(best.threshold()).isEqualTo(0.8);
        assertThat(best.score()).isCloseTo(0.89, within(1e-12));
        // the sweep and the direct score agree at every threshold
        for (ThresholdScore s : sweep) {
            assertThat(STANDARD.scoreAt(pts, s.threshold()).score()).isCloseTo(s.score(), within(1e-12));
        }
    }
}
