package io.patchcast.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link SeasonalSurprise}: surprise recurring one day or one week later is discounted, by hand. */
class SeasonalSurpriseTest {

    static final long MIN = 60_000L;
    static final long HOUR = 60 * MIN;
    static final long DAY = 24 * HOUR;
    static final long T0 = 1_700_000_000_000L - Math.floorMod(1_700_000_000_000L, DAY) + 3 * HOUR; // 03:00 UTC

    final SeasonalSurprise seasonal = new SeasonalSurprise(Duration.ofHours(1));

    /** Ordinary points (surprise 1) every 5 minutes in [from, to). */
    private void quiet(ScoreState s, long from, long to) {
        for (long t = from; t < to; t += 5 * MIN) {
            assertThat(seasonal.discount(s, t, 1.0)).isEqualTo(1.0);
        }
    }

    @Test
    void aDailySpikeIsNewsOnceAndItsExcessStaysNews() {
        ScoreState s = new ScoreState();
        quiet(s, T0 - DAY, T0);
        // first time: no reference, kept whole
        assertThat(seasonal.discount(s, T0, 20.0)).isEqualTo(20.0);
        quiet(s, T0 + 5 * MIN, T0 + DAY + 10 * MIN);
        // 10 minutes later the next day: reference 20, 20 - (min(20, 20) - 3) = 3
        assertThat(seasonal.discount(s, T0 + DAY + 10 * MIN, 20.0)).isCloseTo(3.0, within(1e-6));
        quiet(s, T0 + DAY + 15 * MIN, T0 + 2 * DAY);
        // a larger spike keeps its excess: reference 20 (yesterday's raw surprise), 27 - 17 = 10
        assertThat(seasonal.discount(s, T0 + 2 * DAY, 27.0)).isCloseTo(10.0, within(1e-6));
        // a smaller surprise than the reference is brought down to the floor only: 5 - (5 - 3) = 3
        assertThat(seasonal.discount(s, T0 + 2 * DAY + 5 * MIN, 5.0)).isCloseTo(3.0, within(1e-6));
    }

    @Test
    void outsideTheToleranceOrAfterAQuietWeekNothingIsDiscounted() {
        ScoreState s = new ScoreState();
        quiet(s, T0 - DAY, T0);
        seasonal.discount(s, T0, 20.0);
        quiet(s, T0 + 5 * MIN, T0 + DAY + 3 * HOUR);
        // three hours off the same time yesterday: beyond 1 h (+ a bucket of 15 min)
        assertThat(seasonal.discount(s, T0 + DAY + 3 * HOUR, 20.0)).isEqualTo(20.0);
        // one week after the first spike: the weekly lag finds it (and the day before is quiet)
        quiet(s, T0 + DAY + 3 * HOUR + 5 * MIN, T0 + 7 * DAY);
        assertThat(seasonal.reference(s, T0 + 7 * DAY)).isCloseTo(20.0, within(1e-6));
        // after 8 days without points the ring has wrapped and been cleared: the slot the spike used
        // now stands for a time one ring length later, and holds nothing
        ScoreState gap = new ScoreState();
        seasonal.discount(gap, T0, 20.0);
        assertThat(seasonal.discount(gap, T0 + 8 * DAY, 1.0)).isEqualTo(1.0);
        long sameSlot = T0 + seasonal.buckets() * 15 * MIN;
        assertThat(seasonal.reference(gap, sameSlot + 7 * DAY)).isZero();
        assertThat(seasonal.reference(s, T0 + DAY)).isCloseTo(20.0, within(1e-6)); // the ring without a gap
    }

    @Test
    void theRingIsBoundedByTheToleranceNotTheStep() {
        // 15-minute buckets over one week plus the tolerance
        assertThat(seasonal.buckets()).isEqualTo(7 * 24 * 4 + 4 + 2);
        ScoreState s = new ScoreState();
        for (long t = T0; t < T0 + 2 * DAY; t += 10_000) { // a 10-second series
            seasonal.discount(s, t, 1.0);
        }
        assertThat(s.seasonalMax).hasSize(seasonal.buckets());
    }

    @Test
    void toleranceOutsideItsRangeIsRejected() {
        assertThatThrownBy(() -> ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withSeasonalTolerance(Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between PT10M and PT6H");
        assertThat(ScoreConfig.likelihood(0.99, 0.3, 3, 3000).seasonalTolerance())
                .isZero();
    }
}
