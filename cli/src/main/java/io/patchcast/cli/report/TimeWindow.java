package io.patchcast.cli.report;

/** A labelled anomaly window, both ends inclusive, in UTC epoch milliseconds. */
public record TimeWindow(long startMillis, long endMillis) {
    public TimeWindow {
        if (endMillis < startMillis) {
            throw new IllegalArgumentException(
                    String.format(
                            "window end %d is before its start %d: give [start, end]",
                            endMillis, startMillis));
        }
    }

    boolean contains(long millis) {
        return millis >= startMillis && millis <= endMillis;
    }

    boolean overlaps(long start, long end) {
        return start <= endMillis && end >= startMillis;
    }
}
