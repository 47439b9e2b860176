package io.patchcast.models.api;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets a repeated log line through at most once per interval and counts the ones held back, so a
 * failure that repeats for every request (a model failing every call, a group channel that never
 * arrives) does not flood the logs; the counters say how often it happens. Thread-safe.
 */
public final class LogThrottle {

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextAllowed;
    private final AtomicLong heldBack = new AtomicLong();

    public LogThrottle(Duration interval) {
        this(interval, System::nanoTime);
    }

    LogThrottle(Duration interval, LongSupplier nanoTime) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.nextAllowed = new AtomicLong(nanoTime.getAsLong());
    }

    /**
     * Whether this occurrence may be logged: -1 when it is held back, else how many were held back
     * since the last one let through (for the line: "... (N more since the last)").
     */
    public long tryAcquire() {
        long now = nanoTime.getAsLong();
        long next = nextAllowed.get();
        if (now - next < 0 || !nextAllowed.compareAndSet(next, now + intervalNanos)) {
            heldBack.incrementAndGet();
            return -1;
        }
        return heldBack.getAndSet(0);
    }

    /** " (N more like it since the last)" for a positive count, else empty. */
    public static String more(long heldBack) {
        return heldBack > 0 ? " (" + heldBack + " more like it since the last)" : "";
    }
}
