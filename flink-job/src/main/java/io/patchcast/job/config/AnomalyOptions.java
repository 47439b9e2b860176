package io.patchcast.job.config;

import io.patchcast.job.score.ScoreConfig;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Flagging and alerting. */
public final class AnomalyOptions {
    private AnomalyOptions() {}

    public static final ConfigOption<ScoreConfig.Method> METHOD =
            ConfigOptions.key("patchcast.anomaly.method").enumType(ScoreConfig.Method.class).defaultValue(ScoreConfig.Method.LIKELIHOOD)
                    .withDescription("LIKELIHOOD: anomaly_score compares recent surprise with the series' own history, flagged = score >= threshold. TAIL: anomaly_score = 1 - tail probability of the point alone, flagged = outside the central interval at level.");

    public static final ConfigOption<Double> LEVEL =
            ConfigOptions.key("patchcast.anomaly.level").doubleType().defaultValue(0.99)
                    .withDescription("Central interval reported as lower/upper (display; flagging uses the threshold).");

    public static final ConfigOption<Double> THRESHOLD =
            ConfigOptions.key("patchcast.anomaly.threshold").doubleType().defaultValue(0.34)
                    .withDescription("A point is flagged when its anomaly_score is at least this (LIKELIHOOD). 0.34 (the square root of the recent surprise about 4.3 standard deviations above its history: one chance in about 140,000 under a normal; each flagged point can fire an alert: with the range, level and shape rules catching values, levels and shapes the series has not shown, surprise alone pages only when extreme) was chosen leave-one-file-out on the NAB AWS files at nine starts with the shipped model (evaluate-nab --loo --skip-rows).");

    public static final ConfigOption<Integer> SHORT_WINDOW =
            ConfigOptions.key("patchcast.anomaly.short-window").intType().defaultValue(2)
                    .withDescription("Points whose surprise (-ln tail probability) is averaged before comparing with the history; a run of odd points weighs more than one (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Integer> HISTORY =
            ConfigOptions.key("patchcast.anomaly.history").intType().defaultValue(8000)
                    .withDescription("Span in points of the exponentially weighted mean and variance of past averaged surprise, about 4 weeks of 5-minute points (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Double> SURPRISE_POWER =
            ConfigOptions.key("patchcast.anomaly.surprise-power").doubleType().defaultValue(0.5)
                    .withDescription("The averaged surprise is raised to this power, in (0, 1], before it is compared with its history: surprise has a long right tail, and 0.5 (its square root) shortens it so that an ordinary big surprise is not taken for many standard deviations; 1 compares it as it is. Changing it restarts a series' history (64 points of warm-up). Chosen by evaluate-nab --loo among 1, 0.5 and 1/3 (with it the threshold went from 0.55 to 0.38, at one start of the files).");

    public static final ConfigOption<Duration> SEASONAL_TOLERANCE =
            ConfigOptions.key("patchcast.anomaly.seasonal-tolerance").durationType().defaultValue(Duration.ofHours(1))
                    .withDescription("Surprise that the same series showed within this of the same time one day or one week earlier is discounted (down to a tail probability of about 5 %), so a daily or weekly recurring spike the forecast misses pages once, not every day. Between 10 min and 6 h; 0 turns it off. Costs about 4 x (1 week / tolerance) floats of state per series (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Double> RANGE_TOLERANCE =
            ConfigOptions.key("patchcast.anomaly.range-tolerance").doubleType().defaultValue(0.05)
                    .withDescription("After warm-up, a value further above the largest value the series has shown, or further below the smallest, than this fraction of the range between them scores 1 (flagged at any threshold), unless a rule fired within the last novelty-hold points: a level never seen before pages even when the forecast's interval is wide. 0.05 is the tolerance of HTM's NAB detector, not tuned; 0 turns the rule off (evaluate-nab --loo chose it on over off). A point scoring 1 fires an alert at once, whatever k. Two doubles of state per series.");

    public static final ConfigOption<Integer> LEVEL_WINDOW =
            ConfigOptions.key("patchcast.anomaly.level-window").intType().defaultValue(48)
                    .withDescription("Points averaged into the series' level for the level rule (see level-tolerance): 48 = 4 h of 5-minute points.");

    public static final ConfigOption<Double> LEVEL_TOLERANCE =
            ConfigOptions.key("patchcast.anomaly.level-tolerance").doubleType().defaultValue(0.1)
                    .withDescription("After warm-up and a series' first day, a level (mean of the last level-window points) further above the highest level of the last week, or further below the lowest, than this fraction of the range between them scores 1 and fires an alert at once (unless a rule fired within the last novelty-hold points): a shift to a level the series has not held for a week, even inside its all-time range. 0 turns the rule off and frees its state (turned on again, it starts with a day of warm-up). 0.1 and 48 points were chosen on the NAB AWS files among 3, 12, 48 points, 0.1, 0.3 and a 3-day to 2-week range, by a leave-one-file-out replay; evaluate-nab --loo chooses the rule on over off. About 3 KB of state per series (the last level-window values, and hourly highs and lows over a week).");

    public static final ConfigOption<Integer> SHAPE_WINDOW =
            ConfigOptions.key("patchcast.anomaly.shape-window").intType().defaultValue(12)
                    .withDescription("Points in the stretches the shape rule compares (see shape-tolerance): 12 = 1 h of 5-minute points.");

    public static final ConfigOption<Double> SHAPE_TOLERANCE =
            ConfigOptions.key("patchcast.anomaly.shape-tolerance").doubleType().defaultValue(0.1)
                    .withDescription("After warm-up and about a series' first 288 + 2 x shape-window points, a stretch of its last shape-window values further (root mean square of the differences) from every earlier stretch of its last 2016 points than 1 + this times the largest such distance of its last 2016 points scores 1 and fires an alert at once (unless a rule fired within the last novelty-hold points): a shape the series has not shown for a week, inside its range and its levels (a daily peak at half its height, a periodic load that stops half-way). 0 turns the rule off and frees its state. 0.1 and 12 points were chosen on the NAB AWS files among 12, 48 points and 0.1, 0.2, 0.3 by a leave-one-file-out replay; evaluate-nab --loo chooses the rule on over off in every fold. About 16 KB of state per series and 2016 x shape-window multiply-adds per point at most.");

    public static final ConfigOption<Integer> QUIET_WINDOW =
            ConfigOptions.key("patchcast.anomaly.quiet-window").intType().defaultValue(288)
                    .withDescription("Points whose spread (largest minus smallest value) the quiet rule compares (see quiet-tolerance): 288 = a day of 5-minute points.");

    public static final ConfigOption<Double> QUIET_TOLERANCE =
            ConfigOptions.key("patchcast.anomaly.quiet-tolerance").doubleType().defaultValue(0.0)
                    .withDescription("Off by default (0). When positive, after a series' first week, a spread of its last quiet-window values below the smallest such spread of the last week divided by 1 + this scores 1 and fires an alert at once (unless a rule fired within the last novelty-hold points): a metric that normally bursts or swings went flat (a stopped host, batch job or exporter), which neither the forecast nor the other rules see. 2 (a third of the week's quietest day) is the value measured on the NAB AWS files, where a leave-one-file-out replay does not choose the rule (it detects one more labelled window, in one file, and pages on three quiet days that are not labelled), so it is not a default (see README, Anomaly quality). About 4 KB of state per series while on.");

    public static final ConfigOption<Integer> NOVELTY_HOLD =
            ConfigOptions.key("patchcast.anomaly.novelty-hold").intType().defaultValue(24)
                    .withDescription("Points after the range, level, shape or quiet rule fires during which a rule firing again does not score 1 (those points keep the score of their surprise): a level shift the level rule sees for hours scores 1 once, at its start, so anomaly_score marks the change, not every point after it. The alert still fires at once on that first point. 24 = 2 h of 5-minute points (chosen by evaluate-nab --loo); 0: every point a rule fires on scores 1.");

    public static final ConfigOption<Integer> ALERT_K =
            ConfigOptions.key("patchcast.alert.k").intType().defaultValue(1)
                    .withDescription("An alert fires after k flagged points among the last n. 1 of 1: the first flagged point fires; the high threshold already asks for an extreme surprise, and values or levels beyond what the series has shown (score 1) fire at once whatever k (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Integer> ALERT_N =
            ConfigOptions.key("patchcast.alert.n").intType().defaultValue(1)
                    .withDescription("Window of recent points for the k-of-n rule (at most 64).");

    public static final ConfigOption<Integer> ALERT_RECOVER_AFTER =
            ConfigOptions.key("patchcast.alert.recover-after").intType().defaultValue(24)
                    .withDescription("A firing alert resolves after this many consecutive clean points (2 h of 5-minute points), or when its series scores no point for twice this many steps (event time); a flapping series that fires again within the cooldown re-opens the same episode (chosen by evaluate-nab --loo).");

    public static final ConfigOption<Duration> ALERT_COOLDOWN =
            ConfigOptions.key("patchcast.alert.cooldown").durationType().defaultValue(Duration.ofHours(2))
                    .withDescription("Firing again within this time of resolving re-opens the same episode (merged) instead of paging anew (chosen by evaluate-nab --loo).");
}
