package io.patchcast.job.inference;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default model's batcher ({@code patchcast.model}), shared per JVM through {@link
 * BatcherRegistry}. When it cannot be loaded when the subtask opens (a folder not mounted yet, a
 * file being replaced), the subtask's forecasts fall back and the load is tried again every {@code
 * retry} on a background thread until it succeeds, so the model takes over without a restart.
 */
final class DefaultModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultModel.class);

    private final String name;
    private final String key;
    private final Supplier<MicroBatcher> create;
    private final Duration retry;
    private volatile MicroBatcher batcher;
    private ScheduledExecutorService retrier;
    private boolean closed;
    private int failures;

    /**
     * @param name the model as configured, for the log
     * @param key the batcher's key in {@link BatcherRegistry}
     * @param create loads the model and starts its batcher; may throw
     */
    DefaultModel(String name, String key, Supplier<MicroBatcher> create, Duration retry) {
        if (retry.isNegative() || retry.isZero()) {
            throw new IllegalArgumentException("retry must be positive, got " + retry);
        }
        this.name = name;
        this.key = key;
        this.create = create;
        this.retry = retry;
    }

    /** Loads the model, or logs why not and starts retrying in the background. */
    void open() {
        if (acquire()) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            retrier = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "patchcast-default-model-retry");
                t.setDaemon(true);
                return t;
            });
            retrier.scheduleWithFixedDelay(this::retry, retry.toMillis(), retry.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The loaded model's batcher; null while it is not loaded (the caller falls back). */
    MicroBatcher batcher() {
        return batcher;
    }

    private void retry() {
        if (acquire()) {
            synchronized (this) {
                if (retrier != null) {
                    retrier.shutdown();
                }
            }
        }
    }

    /** True when loaded (or closed: nothing more to do). */
    private synchronized boolean acquire() {
        if (closed || batcher != null) {
            return true;
        }
        try {
            batcher = BatcherRegistry.acquire(key, create);
        } catch (RuntimeException e) {
            failures++;
            if (failures == 1) {
                // a missing or broken model must not stop the job: every forecast falls back, marked so
                LOG.error("model '{}' could not be loaded; forecasts of this subtask fall back until it can be"
                        + " (tried again every {} s): {}", name, retry.toSeconds(), e.toString());
            } else {
                LOG.warn("model '{}' still cannot be loaded (attempt {}): {}", name, failures, e.toString());
            }
            return false;
        }
        if (failures > 0) {
            LOG.info("model '{}' loaded on attempt {}; forecasts use it again", name, failures + 1);
        }
        return true;
    }

    /** Stops retrying and releases the batcher (closed with its last user). */
    @Override
    public synchronized void close() {
        closed = true;
        if (retrier != null) {
            retrier.shutdownNow();
        }
        if (batcher != null) {
            BatcherRegistry.release(key);
            batcher = null;
        }
    }
}
