package io.patchcast.cli.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Time-axis ticks at round UTC instants, labelled with the time and, on a new day, the date. */
final class TimeTicks {
    private static final long S = 1000;
    private static final long M = 60 * S;
    private static final long H = 60 * M;
    private static final long D = 24 * H;
    private static final long[] STEPS = {
        S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S, M, 2 * M, 5 * M, 10 * M, 15 * M, 30 * M, H, 2 * H,
        3 * H, 6 * H, 12 * H, D, 2 * D, 7 * D, 14 * D, 28 * D, 91 * D, 182 * D, 364 * D
    };
    private static final DateTimeFormatter HMS =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HM =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private TimeTicks() {}

    /** The smallest round step that keeps at most {@code maxTicks} ticks over the span. */
    static long step(long span, int maxTicks) {
        for (long s : STEPS) {
            if (span / s <= maxTicks) {
                return s;
            }
        }
        return STEPS[STEPS.length - 1];
    }

    /** Tick instants in {@code [t0, t1]}; epoch-aligned, so day steps fall on UTC midnight. */
    static List<Long> ticks(long t0, long t1, long step) {
        List<Long> out = new ArrayList<>();
        for (long t = Math.floorDiv(t0 + step - 1, step) * step; t <= t1; t += step) {
            out.add(t);
        }
        return out;
    }

    /** Two label lines: the time of day (or the date for day steps), then the date when new. */
    static String[] label(long t, long step, long previous) {
        Instant at = Instant.ofEpochMilli(t);
        if (step >= D) {
            return new String[] {DATE.format(at), ""};
        }
        String time = (step < M ? HMS : HM).format(at);
        boolean newDay =
                previous == Long.MIN_VALUE
                        || !DATE.format(at).equals(DATE.format(Instant.ofEpochMilli(previous)));
        return new String[] {time, newDay ? DATE.format(at) : ""};
    }
}
