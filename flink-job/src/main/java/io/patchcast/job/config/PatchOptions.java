package io.patchcast.job.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** How each series is laid on a grid and cut into patches. */
public final class PatchOptions {
    private PatchOptions() {}

    /** Moirai-MoE's patch size; every shipped model forecasts in patches of 16. */
    public static final int PATCH_SIZE = 16;

    public static final ConfigOption<Duration> STEP =
            ConfigOptions.key("patchcast.patch.step").durationType().defaultValue(Duration.ZERO)
                    .withDescription("Step of every series; 0 infers each series' step from its first points (most series are scraped at a fixed interval).");

    public static final ConfigOption<Integer> CONTEXT_LENGTH =
            ConfigOptions.key("patchcast.patch.context-length").intType().defaultValue(512)
                    .withDescription("Most context points sent to the model, a multiple of 16; 512 is where Moirai-MoE's accuracy levels off for next-patch forecasts.");

    public static final ConfigOption<Integer> STEP_INFERENCE_POINTS =
            ConfigOptions.key("patchcast.patch.step-inference-points").intType().defaultValue(8)
                    .withDescription("Points buffered per new series to infer its step; the step is the most frequent interval, accepted when at least half of the intervals agree, else (scrape jitter) the mean of the intervals within 5 % of their median, rounded to a whole second from 10 s up (100 ms from 1 s), when at least half are. When an inferred step stops fitting (at least half of the intervals among a series' latest this many points skip slots or land on a taken one, and all of them are whole multiples of one new step), the step is inferred again from those points and the series restarts on the new grid.");

    public static final ConfigOption<Duration> ALLOWED_LATENESS =
            ConfigOptions.key("patchcast.patch.allowed-lateness").durationType().defaultValue(Duration.ofMinutes(10))
                    .withDescription("How far behind the newest point of its series a point may arrive and still be used; older points go to the dead-letter topic as LATE.");

    public static final ConfigOption<Integer> MAX_GAP_STEPS =
            ConfigOptions.key("patchcast.patch.max-gap-steps").intType().defaultValue(64)
                    .withDescription("A gap of more missing steps resets the series' context (warm-up again) once the next point confirms the series moved on (a lone point past the gap is a TIMESTAMP_JUMP dead letter); shorter gaps stay in the context as unobserved slots.");

    public static final ConfigOption<Duration> STATE_TTL =
            ConfigOptions.key("patchcast.patch.state-ttl").durationType().defaultValue(Duration.ofDays(7))
                    .withDescription("State of a series that receives no point for this long (wall-clock time, also while the job is stopped) is dropped, so retired series do not accumulate; must be positive. A new series' first points, held until its step is known, are used after 24 h or half this TTL, whichever is shorter.");
}
