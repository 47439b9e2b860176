package io.patchcast.job.inference;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.LogThrottle;
import io.patchcast.models.api.QuantileForecast;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects forecast requests from every subtask in a JVM into batches for one model: a batch is
 * sent when it holds {@code maxBatchSize} requests or its oldest request has waited
 * {@code maxBatchDelay}. Requests submitted together ({@link #submitAll}, a multichannel model's
 * group) stay together in one batch, in their order; a unit that does not fit starts the next batch.
 * One worker thread per model; a failed call fails only its own requests.
 */
public final class MicroBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

    /** A model failing every call would log a line per request (one-at-a-time retries). */
    private final LogThrottle failureLog =
            new LogThrottle(Duration.ofMinutes(1));

    private record Pending(List<ForecastRequest> requests, long enqueued, CompletableFuture<List<BatchResult>> future) {}

    private final Forecaster forecaster;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final int horizon;
    private final long expireAfterNanos;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean running = true;

    /**
     * A request that waited in the queue longer than the batcher's {@code expireAfter}: its caller
     * (the async operator) has already answered it on timeout, so the model does not compute it.
     */
    public static final class Expired extends RuntimeException {
        Expired(long waitedMillis) {
            super("waited " + waitedMillis + " ms in the batch queue: expired before a model call", null, false, false);
        }
    }

    /** A batcher whose requests never expire. */
    public MicroBatcher(Forecaster forecaster, int maxBatchSize, Duration maxBatchDelay, int horizon) {
        this(forecaster, maxBatchSize, maxBatchDelay, horizon, Duration.ZERO);
    }

    /**
     * @param expireAfter a request still queued after this long fails with {@link Expired} instead
     *     of going to the model (the async timeout: once the model falls behind, it computes fresh
     *     requests rather than ones already answered, and the queue cannot grow without bound);
     *     zero = never
     */
    public MicroBatcher(Forecaster forecaster, int maxBatchSize, Duration maxBatchDelay, int horizon,
            Duration expireAfter) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be positive, got " + maxBatchSize);
        }
        this.forecaster = forecaster;
        this.maxBatchSize = maxBatchSize;
        this.maxDelayNanos = maxBatchDelay.toNanos();
        this.horizon = horizon;
        this.expireAfterNanos = expireAfter.toNanos();
        this.worker = new Thread(this::run, "patchcast-batcher-" + forecaster.name());
        this.worker.setDaemon(true);
        this.worker.start();
        LOG.info("micro-batcher started for {}@{}: maxBatchSize={} maxBatchDelay={}",
                forecaster.name(), forecaster.version(), maxBatchSize, maxBatchDelay);
    }

    public Forecaster forecaster() {
        return forecaster;
    }

    public CompletableFuture<BatchResult> submit(ForecastRequest request) {
        return submitAll(List.of(request)).thenApply(r -> r.get(0));
    }

    /** Requests forecast in one batch, in this order (a multichannel model's group); results in order. */
    public CompletableFuture<List<BatchResult>> submitAll(List<ForecastRequest> requests) {
        CompletableFuture<List<BatchResult>> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(new IllegalStateException("micro-batcher is closed"));
            return f;
        }
        if (requests.isEmpty()) {
            f.complete(List.of());
            return f;
        }
        queue.add(new Pending(List.copyOf(requests), System.nanoTime(), f));
        return f;
    }

    /** Requests waiting for a batch (a group counts each of its requests). */
    public int queued() {
        int n = 0;
        for (Pending p : queue) {
            n += p.requests().size();
        }
        return n;
    }

    /** The worker loop; the worker alone closes the model, so it is never freed under a running call. */
    private void run() {
        try {
            work();
        } finally {
            forecaster.close();
        }
    }

    private void work() {
        List<Pending> batch = new ArrayList<>(maxBatchSize);
        Pending carry = null; // the unit that did not fit the last batch
        while (running) {
            try {
                Pending first = carry != null ? carry : queue.poll(100, TimeUnit.MILLISECONDS);
                carry = null;
                if (first == null || expired(first)) {
                    continue;
                }
                batch.add(first);
                int size = first.requests().size();
                long deadline = first.enqueued() + maxDelayNanos;
                while (size < maxBatchSize) {
                    long left = deadline - System.nanoTime();
                    Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    if (expired(next)) {
                        continue;
                    }
                    if (size + next.requests().size() > maxBatchSize) {
                        carry = next;
                        break;
                    }
                    batch.add(next);
                    size += next.requests().size();
                }
                call(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                // closed while collecting a batch: its requests are off the queue, fail them here
                for (Pending p : batch) {
                    p.future().completeExceptionally(new IllegalStateException("micro-batcher closed"));
                }
                break;
            } finally {
                batch.clear();
            }
        }
        if (carry != null) {
            carry.future().completeExceptionally(new IllegalStateException("micro-batcher closed"));
        }
        Pending p;
        while ((p = queue.poll()) != null) {
            p.future().completeExceptionally(new IllegalStateException("micro-batcher closed"));
        }
    }

    /** Fails a request that has waited past {@code expireAfter}; true if it did. */
    private boolean expired(Pending p) {
        long waited = System.nanoTime() - p.enqueued();
        if (expireAfterNanos <= 0 || waited <= expireAfterNanos) {
            return false;
        }
        p.future().completeExceptionally(new Expired(waited / 1_000_000));
        return true;
    }

    private void call(List<Pending> batch) {
        long start = System.nanoTime();
        List<ForecastRequest> requests = new ArrayList<>(maxBatchSize);
        for (Pending p : batch) {
            requests.addAll(p.requests());
        }
        try {
            List<QuantileForecast> out = forecaster.forecast(requests, horizon);
            long took = System.nanoTime() - start;
            LOG.debug("{}: batch of {} in {} us", forecaster.name(), requests.size(), took / 1000);
            int i = 0;
            for (Pending p : batch) {
                List<BatchResult> results = new ArrayList<>(p.requests().size());
                for (int k = 0; k < p.requests().size(); k++) {
                    results.add(new BatchResult(out.get(i++), requests.size(), start - p.enqueued(), took));
                }
                p.future().complete(results);
            }
        } catch (RuntimeException | Error e) {
            // an Error too (native link or out-of-memory in the model): keep the worker alive
            long more = failureLog.tryAcquire();
            if (more >= 0) {
                LOG.warn("{}: model call for a batch of {} failed: {}{}", forecaster.name(), requests.size(),
                        e.toString(), LogThrottle.more(more));
            }
            if (batch.size() > 1 && running) {
                // one bad unit must not fail the series it happened to share a batch with: each alone
                for (Pending p : batch) {
                    call(List.of(p));
                }
                return;
            }
            for (Pending p : batch) {
                p.future().completeExceptionally(e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            LOG.warn("{}@{}: a model call is still running after 5 s; the model is closed when it returns",
                    forecaster.name(), forecaster.version());
        }
        // a submit() racing with close() may have queued after the worker's last drain
        Pending p;
        while ((p = queue.poll()) != null) {
            p.future().completeExceptionally(new IllegalStateException("micro-batcher closed"));
        }
    }
}
