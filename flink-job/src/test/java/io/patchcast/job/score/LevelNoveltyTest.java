package io.patchcast.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link LevelNovelty}: a level outside the last week's range of levels, by hourly buckets. */
class LevelNoveltyTest {

    static final long STEP = Duration.ofMinutes(5).toMillis();
    static final long DAY = Duration.ofDays(1).toMillis();

    /** A daily square wave between 10 and 20 with 5-minute points; returns the novel points' count. */
    static int feedDays(LevelNovelty r, ScoreState s, long start, int days) {
        int novel = 0;
        for (long t = start; t < start + days * DAY; t += STEP) {
            double v = (t % DAY) < DAY / 2 ? 10 : 20;
            novel += r.observe(s, t, v) ? 1 : 0;
        }
        return novel;
    }

    @Test
    void aRecurringPatternIsNeverNovelAndAShiftAboveItIs() {
        LevelNovelty r = new LevelNovelty(12, 0.1);
        ScoreState s = new ScoreState();
        assertThat(feedDays(r, s, 0, 10)).isZero();
        // one hour at 21.5: the 12-point level climbs from 20 to 21.5; the week's levels span
        // [10, 20], so a level above 21 is novel (from the 9th point of the hour on)
        long t0 = 10 * DAY + DAY / 2 + 3_600_000; // inside a high half-day
        int novel = 0;
        int first = -1;
        for (int i = 0; i < 12; i++) {
            boolean n = r.observe(s, t0 + i * STEP, 21.5);
            if (n && first < 0) {
                first = i;
            }
            novel += n ? 1 : 0;
        }
        // level after i+1 points at 21.5 and 11 - i at 20: 20 + 1.5 (i + 1) / 12 > 21 <=> i >= 8
        assertThat(first).isEqualTo(8);
        assertThat(novel).isEqualTo(4);
    }

    @Test
    void theRangeIsTheLastWeekOnlyAndNothingIsNovelOnTheFirstDay() {
        LevelNovelty r = new LevelNovelty(1, 0.1);
        ScoreState s = new ScoreState();
        // first day: values 0 then 100: the jump is not novel (first day)
        assertThat(r.observe(s, 0, 0)).isFalse();
        assertThat(r.observe(s, 3_600_000, 100)).isFalse();
        // then 8 days at 50..60: a week later the 0 and 100 have left the range
        long t = 2 * 3_600_000L;
        for (; t < 9 * DAY; t += STEP) {
            r.observe(s, t, 50 + (t / STEP) % 11);
        }
        assertThat(r.observe(s, t, 58)).isFalse(); // inside [50, 60]
        assertThat(r.observe(s, t + STEP, 60.5)).isFalse(); // within the 10 % margin (61)
        assertThat(r.observe(s, t + 2 * STEP, 61.5)).isTrue(); // above 60 + 1, although 100 was seen 9 days ago
        assertThat(r.observe(s, t + 3 * STEP, 48.5)).isTrue(); // below 50 - 1
    }

    @Test
    void aFlatSeriesHasNoRangeAndAGapClearsTheHoursItSkipped() {
        LevelNovelty r = new LevelNovelty(1, 0.1);
        ScoreState s = new ScoreState();
        long t = 0;
        for (; t < 3 * DAY; t += STEP) {
            assertThat(r.observe(s, t, 7)).isFalse();
        }
        assertThat(r.observe(s, t, 8)).isFalse(); // all recent levels equal: no range to leave
        // a gap of more than a week: the old hours are gone, the next hours build a new range, and
        // (as on a series' first day) nothing is novel before a day of them
        long after = t + 8 * DAY;
        assertThat(r.observe(s, after, 1000)).isFalse(); // no earlier hour within the week
        assertThat(r.observe(s, after + 3_600_000, 1000)).isFalse(); // one earlier hour, no spread
        assertThat(r.observe(s, after + 2 * 3_600_000, 1001)).isFalse(); // spread 0 before it
        assertThat(r.observe(s, after + 3 * 3_600_000, 1002)).isFalse(); // beyond [1000, 1001] + 0.1, day one
        assertThat(r.observe(s, after + DAY, 1001)).isFalse();
        assertThat(r.observe(s, after + DAY + STEP, 1003)).isTrue(); // a day on: [1000, 1002] + 0.2
    }

    @Test
    void aLatePointIsComparedWithTheHoursBeforeItOnly() {
        LevelNovelty r = new LevelNovelty(1, 0.1);
        ScoreState s = new ScoreState();
        long hour = 3_600_000L;
        long t = 0;
        for (; t < 2 * DAY; t += STEP) {
            r.observe(s, t, 50 + (t / STEP) % 11); // [50, 60] every hour
        }
        assertThat(r.observe(s, t + hour, 100)).isTrue(); // the newest hour now holds 100
        // a point of the hour before arrives late: compared with the hours before it, [50, 60]
        assertThat(r.observe(s, t + 30 * 60_000L, 90)).isTrue();
        // a point more than a week behind the newest hour is neither compared nor recorded
        assertThat(r.observe(s, t - 7 * DAY, 1000)).isFalse();
    }

    @Test
    void anOffRuleKeepsNoStateAndStartsAfreshWhenTurnedOnAgain() {
        LevelNovelty r = new LevelNovelty(12, 0.1);
        ScoreState s = new ScoreState();
        assertThat(feedDays(r, s, 0, 10)).isZero();
        // the scorer with the rule off frees it
        AnomalyScorer off = new AnomalyScorer(ScoreConfig.likelihood(0.99, 0.3, 3, 3000));
        AnomalyScorerLikelihoodTest.score(off, s, 10.0);
        assertThat(s.levelRecent).isEmpty();
        assertThat(s.levelHigh).isEmpty();
        assertThat(s.levelLow).isEmpty();
        assertThat(s.levelCount).isZero();
        // turned on again: a level of 30, far above the [10, 20] of the days before it was turned
        // off, is not novel in the rule's new first day, which it spends learning the levels again
        long back = 12 * DAY;
        for (long t = back; t < back + DAY - STEP; t += STEP) {
            assertThat(r.observe(s, t, 30)).isFalse();
        }
        // state restored from before the rule existed: its fields may be null
        ScoreState old = new ScoreState();
        old.levelRecent = null;
        old.levelHigh = null;
        old.levelLow = null;
        assertThat(r.observe(old, 0, 1.0)).isFalse();
        assertThat(old.levelRecent).hasSize(12);
        old.levelRecent = null;
        LevelNovelty.clear(old);
        assertThat(old.levelRecent).isEmpty();
    }

    @Test
    void rejectsBadParameters() {
        assertThatThrownBy(() -> new LevelNovelty(0, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LevelNovelty(12, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScoreConfig.likelihood(0.99, 0.3, 3, 3000).withRangeTolerance(0.05).withLevelRule(12, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("levelTolerance");
    }

    @Test
    void afterASilenceLongerThanTheHistoryNothingIsNovelForADayAgain() {
        LevelNovelty r = new LevelNovelty(1, 0.1);
        ScoreState s = new ScoreState();
        assertThat(feedDays(r, s, 0, 3)).isZero();
        // silent for 8 days (a state TTL longer than a week keeps the series), then back with an hour
        // between 15 and 16 and an hour at 17: every earlier level has left the week, so the range
        // is that one hour's
        long back = 11 * DAY;
        int novel = 0;
        for (long t = back; t < back + 3_600_000; t += STEP) {
            novel += r.observe(s, t, 15 + (t / STEP) % 2) ? 1 : 0;
        }
        for (long t = back + 3_600_000; t < back + 2 * 3_600_000; t += STEP) {
            novel += r.observe(s, t, 17) ? 1 : 0; // beyond [15, 16] + 10 %: novel without a new warm-up day
        }
        assertThat(novel).isZero();
        // a day later the rule works again: 25 is beyond the day's [15, 17] plus 10 %
        assertThat(feedConstant(r, s, back + 2 * 3_600_000, back + DAY + 2 * 3_600_000, 16)).isZero();
        assertThat(r.observe(s, back + DAY + 2 * 3_600_000, 25)).isTrue();
    }

    static int feedConstant(LevelNovelty r, ScoreState s, long from, long to, double v) {
        int novel = 0;
        for (long t = from; t < to; t += STEP) {
            novel += r.observe(s, t, v) ? 1 : 0;
        }
        return novel;
    }
}
