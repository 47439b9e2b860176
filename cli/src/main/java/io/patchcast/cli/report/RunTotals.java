package io.patchcast.cli.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Counters of the whole demo run, as the job reported them (they may cover series the report does
 * not chart).
 *
 * @param deadLettersByReason dead-letter count per reason code ({@code LATE}, {@code NON_FINITE},
 *     ...); iteration order is kept
 */
public record RunTotals(
        long points,
        long forecasts,
        long flaggedPoints,
        long alerts,
        Map<String, Long> deadLettersByReason) {
    public RunTotals {
        if (points < 0 || forecasts < 0 || flaggedPoints < 0 || alerts < 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "counts must be >= 0, got points=%d forecasts=%d flagged=%d alerts=%d",
                            points, forecasts, flaggedPoints, alerts));
        }
        Objects.requireNonNull(deadLettersByReason, "deadLettersByReason");
        deadLettersByReason = Collections.unmodifiableMap(new LinkedHashMap<>(deadLettersByReason));
        deadLettersByReason.forEach(
                (reason, count) -> {
                    Objects.requireNonNull(reason, "dead-letter reason");
                    if (count == null || count < 0) {
                        throw new IllegalArgumentException(
                                String.format(
                                        "dead-letter count for %s must be >= 0, got %s",
                                        reason, count));
                    }
                });
    }

    public long deadLetters() {
        return deadLettersByReason.values().stream().mapToLong(Long::longValue).sum();
    }
}
