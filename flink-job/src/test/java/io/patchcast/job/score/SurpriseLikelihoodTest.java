package io.patchcast.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Hand-computed {@link SurpriseLikelihood} scores (values from Python's math.erfc). */
class SurpriseLikelihoodTest {

    // short window 2, history 3 -> alpha = 2 / (3 + 1) = 0.5
    static final ScoreConfig CONFIG = ScoreConfig.likelihood(0.99, 0.5, 2, 3);

    @Test
    void warmUpThenRecentSurpriseAgainstHistory() {
        SurpriseLikelihood l = new SurpriseLikelihood(CONFIG);
        ScoreState s = new ScoreState();
        // 64 points of surprise 1 (tail e^-1): warm-up, score 0; history mean 1, variance 0
        for (int i = 0; i < ScoreConfig.MIN_HISTORY; i++) {
            assertThat(l.update(s, 0L, Math.exp(-1))).isZero();
        }
        assertThat(s.historyMean).isCloseTo(1.0, within(1e-12));
        assertThat(s.historyVar).isCloseTo(0.0, within(1e-12));
        // surprise 3: m = (1 + 3) / 2 = 2; std = max(0.1, 0) -> z = (2 - 1) / 0.1 = 10;
        // P(Z > 10) = 7.619853e-24, x = -log10 = 23.118053, score = x / (x + 10) = 0.698050
        assertThat(l.update(s, 0L, Math.exp(-3))).isCloseTo(0.698049886, within(1e-8));
        // history: d = 1, mean = 1 + 0.5 = 1.5, var = 0.5 * (0 + 0.5 * 1) = 0.25
        assertThat(s.historyMean).isCloseTo(1.5, within(1e-12));
        assertThat(s.historyVar).isCloseTo(0.25, within(1e-12));
        // surprise 1: m = (3 + 1) / 2 = 2; z = (2 - 1.5) / 0.5 = 1; P(Z > 1) = 0.158655,
        // x = 0.799546, score = 0.074035
        assertThat(l.update(s, 0L, Math.exp(-1))).isCloseTo(0.0740351099, within(1e-8));
    }

    @Test
    void aPersistentShiftIsAbsorbedByTheHistory() {
        SurpriseLikelihood l = new SurpriseLikelihood(ScoreConfig.likelihood(0.99, 0.5, 1, 100));
        ScoreState s = new ScoreState();
        for (int i = 0; i < 200; i++) {
            l.update(s, 0L, 0.5);
        }
        // the series' forecasts become badly wrong (tail 1e-6 every point): flagged at first ...
        double first = l.update(s, 0L, 1e-6);
        assertThat(first).isGreaterThan(0.9);
        double last = first;
        for (int i = 0; i < 100; i++) {
            last = l.update(s, 0L, 1e-6);
        }
        // ... but not for ever: after 100 points of the same surprise it is the new normal
        assertThat(last).isLessThan(0.1);
    }

    @Test
    void aSpikeRecurringDailyScoresHighOnlyTheFirstDay() {
        long step = 300_000L;
        // the shipped short window and history; a calibrated forecast: tail probabilities uniform
        SurpriseLikelihood plain = new SurpriseLikelihood(ScoreConfig.likelihood(0.99, 0.2, 3, 8000));
        SurpriseLikelihood seasonal = new SurpriseLikelihood(
                ScoreConfig.likelihood(0.99, 0.2, 3, 8000).withSeasonalTolerance(java.time.Duration.ofMinutes(30)));
        ScoreState a = new ScoreState();
        ScoreState b = new ScoreState();
        java.util.Random random = new java.util.Random(42);
        double[][] spikes = new double[2][4];
        for (int i = 0; i < 4 * 288; i++) {
            long t = i * step;
            boolean spike = i % 288 == 100; // the same 5 minutes every day, from day 0
            double tail = spike ? 1e-9 : 1 - random.nextDouble();
            double pa = plain.update(a, t, tail);
            double pb = seasonal.update(b, t, tail);
            if (spike) {
                spikes[0][i / 288] = pa;
                spikes[1][i / 288] = pb;
            }
        }
        // without the discount every day's spike scores above the 0.2 default threshold; with it, the
        // first one only (the same score), later ones keep e^-3 of surprise and stay below it
        assertThat(java.util.Arrays.stream(spikes[0]).min().getAsDouble()).isGreaterThan(0.3);
        assertThat(spikes[1][0]).isEqualTo(spikes[0][0]);
        for (int day = 1; day < 4; day++) {
            assertThat(spikes[1][day]).as("day %d", day).isLessThan(0.2);
        }
    }

    @Test
    void scoreStaysInTheUnitInterval() {
        assertThat(SurpriseLikelihood.scoreOf(-50)).isZero();
        assertThat(SurpriseLikelihood.scoreOf(0)).isCloseTo(Math.log10(2) / (Math.log10(2) + 10), within(1e-12));
        assertThat(SurpriseLikelihood.scoreOf(1e6)).isLessThan(1.0).isGreaterThan(0.96);
        assertThat(SurpriseLikelihood.surprise(0.0)).isEqualTo(SurpriseLikelihood.MAX_SURPRISE);
    }

    @Test
    void aStateRestoredWithAnotherShortWindowRebuildsItsHistoryWithAWarmUp() {
        ScoreState s = new ScoreState();
        SurpriseLikelihood wide = new SurpriseLikelihood(ScoreConfig.likelihood(0.99, 0.5, 8, 100));
        for (int i = 0; i < 500; i++) {
            wide.update(s, 0L, i % 2 == 0 ? 0.9 : 1e-3); // alternating: means over 8 points hardly vary
        }
        assertThat(s.historyCount).isEqualTo(500);
        // the same state under a short window of 2: the old history's spread is not this window's
        SurpriseLikelihood narrow = new SurpriseLikelihood(ScoreConfig.likelihood(0.99, 0.5, 2, 100));
        assertThat(narrow.update(s, 0L, 1e-3)).isZero(); // warm-up again
        assertThat(s.historyCount).isEqualTo(1);
        assertThat(s.historyMean).isCloseTo(SurpriseLikelihood.surprise(1e-3), within(1e-12));
    }

    @Test
    void thePowerIsTakenOfTheMeanSurpriseBeforeTheComparison() {
        SurpriseLikelihood l = new SurpriseLikelihood(CONFIG.withSurprisePower(0.5));
        ScoreState s = new ScoreState();
        for (int i = 0; i < ScoreConfig.MIN_HISTORY; i++) {
            assertThat(l.update(s, 0L, Math.exp(-1))).isZero(); // sqrt(1) = 1: history mean 1, variance 0
        }
        assertThat(s.historyMean).isCloseTo(1.0, within(1e-12));
        // surprise 8: m = (1 + 8) / 2 = 4.5, sqrt = 2.1213203; z = (2.1213203 - 1) / 0.1 = 11.213203;
        // P(Z > z) = 1.756232e-29, x = 28.755418, score = 0.741972 (power 1: z = 35, score 0.964022)
        assertThat(l.update(s, 0L, Math.exp(-8))).isCloseTo(0.7419715619, within(1e-8));
        // history: d = 1.1213203, mean = 1 + d / 2 = 1.5606602, var = 0.5 * (0.5 * d^2) = 0.3143398
        assertThat(s.historyMean).isCloseTo(1.5606601718, within(1e-9));
        assertThat(s.historyVar).isCloseTo(0.3143398282, within(1e-9));
        assertThat(s.historyPower).isEqualTo(0.5);
        // surprise 1: m = 4.5 again; z = (2.1213203 - 1.5606602) / sqrt(0.3143398) = 1, score 0.074035
        assertThat(l.update(s, 0L, Math.exp(-1))).isCloseTo(0.0740351099, within(1e-8));
    }

    @Test
    void thePowerMustBeInTheUnitInterval() {
        for (double bad : new double[] {0, -0.5, 1.5, Double.NaN}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> CONFIG.withSurprisePower(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("surprisePower must be in (0, 1]");
        }
        assertThat(CONFIG.withSurprisePower(1.0 / 3).surprisePower()).isEqualTo(1.0 / 3);
    }

    @Test
    void theSquareRootFlagsFarFewerPointsOfACalibratedForecast() {
        // a calibrated forecast: tail probabilities uniform, surprise exponential with mean 1, the
        // mean of 2 a gamma variable with mean 1 and standard deviation 0.71. At the score 0.38
        // (z = 4.8) a normal would flag about one point in 1.3 million; the gamma's long tail flags
        // m >= 1 + 4.8 * 0.71 = 4.4, one point in about 650 (exp(-8.8) * 9.8). Its square root has
        // mean 0.94 and standard deviation 0.33: flagged from m >= 6.4, one point in about 24,000.
        java.util.Random random = new java.util.Random(7);
        SurpriseLikelihood plain = new SurpriseLikelihood(ScoreConfig.likelihood(0.99, 0.38, 2, 3000));
        SurpriseLikelihood root = new SurpriseLikelihood(ScoreConfig.likelihood(0.99, 0.38, 2, 3000).withSurprisePower(0.5));
        ScoreState a = new ScoreState();
        ScoreState b = new ScoreState();
        int flaggedPlain = 0;
        int flaggedRoot = 0;
        for (int i = 0; i < 200_000; i++) {
            double tail = 1 - random.nextDouble();
            flaggedPlain += plain.update(a, 0L, tail) >= 0.38 ? 1 : 0;
            flaggedRoot += root.update(b, 0L, tail) >= 0.38 ? 1 : 0;
        }
        assertThat(flaggedPlain).isBetween(150, 600); // about 300
        assertThat(flaggedRoot).isLessThan(40); // about 8
    }

    @Test
    void aStateRestoredWithAnotherPowerRebuildsItsHistoryButOneFromBeforeTheOptionKeepsPowerOne() {
        ScoreState s = new ScoreState();
        SurpriseLikelihood plain = new SurpriseLikelihood(ScoreConfig.likelihood(0.99, 0.5, 2, 100));
        for (int i = 0; i < 100; i++) {
            plain.update(s, 0L, 0.5);
        }
        assertThat(s.historyCount).isEqualTo(100);
        s.historyPower = 0; // as restored from state written before the option: its history is of power 1
        plain.update(s, 0L, 0.5);
        assertThat(s.historyCount).isEqualTo(101);
        assertThat(s.historyPower).isEqualTo(1.0);
        SurpriseLikelihood root = new SurpriseLikelihood(ScoreConfig.likelihood(0.99, 0.5, 2, 100).withSurprisePower(0.5));
        assertThat(root.update(s, 0L, 1e-6)).isZero(); // warm-up again: the history was of other values
        assertThat(s.historyCount).isEqualTo(1);
        assertThat(s.historyMean).isCloseTo(Math.sqrt((SurpriseLikelihood.surprise(0.5) + SurpriseLikelihood.surprise(1e-6)) / 2),
                within(1e-12));
    }
}
