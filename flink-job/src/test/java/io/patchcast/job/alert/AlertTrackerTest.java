package io.patchcast.job.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AlertTrackerTest {

    static final String KEY = "latency{svc=\"api\"}";

    /** 3 flagged of the last 5 fire; 2 clean points resolve; re-firing within 10 s merges. */
    final AlertTracker tracker = new AlertTracker(new AlertPolicy(3, 5, 2, Duration.ofSeconds(10)));
    final AlertState state = tracker.newState();

    /** Point i at ts = 1000 i, score 0.999 when flagged, 0.5 when clean. */
    AlertEvent point(int i, boolean flagged) {
        return tracker.onPoint(state, KEY, 1000L * i, flagged, flagged ? 0.999 : 0.5);
    }

    AlertEvent point(int i, boolean flagged, double score) {
        return tracker.onPoint(state, KEY, 1000L * i, flagged, score);
    }

    @Test
    void firesOnTheKthFlagInTheWindowWithTheFirstFlaggedPointAsEpisodeStart() {
        assertThat(point(0, false)).isNull();
        assertThat(point(1, true)).isNull();
        assertThat(point(2, false)).isNull();
        assertThat(point(3, true)).isNull();
        AlertEvent e = point(4, true, 0.9995);

        assertThat(e).isEqualTo(new AlertEvent(KEY, true, 4000, 1000, null, 0.9995, 3, false));
        assertThat(state.firing).isTrue();
    }

    @Test
    void aFlaggedPointScoringOneFiresAtOnceWhateverK() {
        assertThat(point(0, true, 0.999)).isNull(); // one flag of the 3 needed
        AlertEvent e = point(1, true, 1.0); // beyond the series' range or level: no need to wait
        assertThat(e).isEqualTo(new AlertEvent(KEY, true, 1000, 0, null, 1.0, 2, false));
        // not flagged (a threshold above 1 is impossible, but the tracker only fires on flags)
        AlertState other = tracker.newState();
        assertThat(tracker.onPoint(other, KEY, 0, false, 1.0)).isNull();
    }

    @Test
    void flagsThatLeftTheWindowDoNotCount() {
        point(0, true);
        point(1, true);
        for (int i = 2; i <= 6; i++) {
            assertThat(point(i, false)).isNull();
        }
        assertThat(point(7, true)).isNull(); // window 3..7: one flag
        assertThat(point(8, true)).isNull();
        AlertEvent e = point(9, true);
        assertThat(e.firing()).isTrue();
        assertThat(e.episodeStart()).isEqualTo(7000);
        assertThat(e.points()).isEqualTo(3);
    }

    @Test
    void episodeStartIsTheOldestFlagStillInTheWindow() {
        point(0, true); // drops out when point 5 arrives
        point(1, false);
        point(2, true);
        point(3, false);
        point(4, false);
        assertThat(point(5, true)).isNull(); // window 1..5: flags at 2, 5
        AlertEvent e = point(6, true); // window 2..6: flags at 2, 5, 6
        assertThat(e.episodeStart()).isEqualTo(2000);
    }

    @Test
    void resolvesAfterRecoverAfterCleanPointsWithTheLastFlaggedPointAsEpisodeEnd() {
        fireAt(2, 4); // flags 2, 3, 4 -> FIRING at 4000
        assertThat(point(5, true, 0.99999)).isNull(); // still firing, episode grows
        assertThat(point(6, false)).isNull(); // one clean point
        assertThat(point(7, true)).isNull(); // a flag resets the clean streak
        assertThat(point(8, false)).isNull();
        AlertEvent r = point(9, false);

        assertThat(r).isEqualTo(new AlertEvent(KEY, false, 9000, 2000, 7000L, 0.99999, 5, false));
        assertThat(state.firing).isFalse();
    }

    @Test
    void oldFlagsDoNotReFireRightAfterResolving() {
        fireAt(0, 2);
        point(3, true);
        point(4, true); // window 0..4 all flagged
        point(5, false);
        assertThat(point(6, false).firing()).isFalse();
        assertThat(point(7, true)).isNull(); // one fresh flag is not 3 of 5
        assertThat(point(8, true)).isNull(); // window 4..8 held flags at 4, 7, 8 without the reset
        assertThat(point(9, true).firing()).isTrue();
    }

    @Test
    void reFiringWithinTheCooldownMergesIntoTheSameEpisode() {
        fireAt(2, 4);
        point(5, false);
        AlertEvent resolved = point(6, false); // resolved at 6000
        assertThat(resolved.firing()).isFalse();

        point(10, true);
        point(11, true);
        AlertEvent e = point(15, true); // 9 s after resolving < 10 s cooldown

        assertThat(e.firing()).isTrue();
        assertThat(e.merged()).isTrue();
        assertThat(e.episodeStart()).isEqualTo(2000);
        assertThat(e.points()).isEqualTo(6);
        assertThat(e.timestamp()).isEqualTo(15_000);
        assertThat(e.episodeEnd()).isNull();
    }

    @Test
    void firingAgainOnceTheCooldownHasPassedStartsANewEpisode() {
        fireAt(2, 4);
        point(5, false);
        point(6, false); // resolved at 6000
        point(14, true);
        point(15, true);
        AlertEvent e = point(16, true, 0.9991); // exactly 10 s later: not "less than the cooldown"

        assertThat(e).isEqualTo(new AlertEvent(KEY, true, 16_000, 14_000, null, 0.9991, 3, false));
    }

    @Test
    void cleanAndWarmUpPointsNeverFire() {
        for (int i = 0; i < 200; i++) {
            assertThat(point(i, false, i % 2 == 0 ? 0.0 : 0.98)).isNull();
        }
        assertThat(state.firing).isFalse();
    }

    @Test
    void kOfOneFiresOnTheFirstFlag() {
        AlertTracker t = new AlertTracker(new AlertPolicy(1, 1, 1, Duration.ZERO));
        AlertState s = t.newState();
        assertThat(t.onPoint(s, KEY, 10, false, 0)).isNull();
        AlertEvent e = t.onPoint(s, KEY, 20, true, 0.995);
        assertThat(e.firing()).isTrue();
        assertThat(e.episodeStart()).isEqualTo(20);
        AlertEvent r = t.onPoint(s, KEY, 30, false, 0);
        assertThat(r.firing()).isFalse();
        assertThat(r.episodeEnd()).isEqualTo(20L);
    }

    @Test
    void windowOfSixtyFourUsesEveryBit() {
        AlertTracker t = new AlertTracker(new AlertPolicy(64, 64, 1, Duration.ZERO));
        AlertState s = t.newState();
        for (int i = 0; i < 63; i++) {
            assertThat(t.onPoint(s, KEY, i, true, 0.9)).isNull(); // below 1, so each waits for the 64th
        }
        AlertEvent e = t.onPoint(s, KEY, 63, true, 0.9);
        assertThat(e.firing()).isTrue();
        assertThat(e.episodeStart()).isZero();
        assertThat(e.points()).isEqualTo(64);
    }

    @Test
    void policyRejectsImpossibleSettings() {
        assertThatThrownBy(() -> new AlertPolicy(4, 3, 1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k=4, n=3");
        assertThatThrownBy(() -> new AlertPolicy(1, 65, 1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 64");
        assertThatThrownBy(() -> new AlertPolicy(1, 3, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recoverAfter");
        assertThatThrownBy(() -> new AlertPolicy(1, 3, 1, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cooldown");
    }

    /** Flags points {@code from..to}; the last one must fire. */
    private void fireAt(int from, int to) {
        AlertEvent e = null;
        for (int i = from; i <= to; i++) {
            e = point(i, true);
            if (i < to) {
                assertThat(e).as("point %d", i).isNull();
            }
        }
        assertThat(e).isNotNull();
        assertThat(e.firing()).isTrue();
    }

    @Test
    void stateFromASmallerWindowIsRestartedWhenNGrows() {
        // a savepoint taken with n = 5, restored into a job with n = 8 (3 of 8)
        point(0, true);
        point(1, true);
        AlertTracker wider = new AlertTracker(new AlertPolicy(3, 8, 2, Duration.ofSeconds(10)));
        for (int i = 2; i <= 8; i++) {
            assertThat(wider.onPoint(state, KEY, 1000L * i, i >= 7, 0.999)).as("point %d", i).isNull();
        }
        assertThat(state.times).hasSize(8);
        // the two flags from before the change were dropped with the old window: the third flag after it fires
        AlertEvent e = wider.onPoint(state, KEY, 9000, true, 0.999);
        assertThat(e).isEqualTo(new AlertEvent(KEY, true, 9000, 7000, null, 0.999, 3, false));
    }
}
