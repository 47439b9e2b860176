package io.patchcast.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads model versions in the background and hands out only those that finished loading: the hot
 * swap. A caller asks for its candidates in order ({@link #firstReady}); a version not loaded yet
 * starts loading on a background thread and the caller gets the next candidate that is ready, so
 * requests keep going to the old version until the new one is ready. A version that fails to load
 * (bad SHA-256, missing file, bad weights) is logged and counted ({@link #failures()}) and skipped
 * until {@code retryAfter} has passed, so the old version keeps serving.
 *
 * <p>The swap is atomic per request: a loaded value is published whole (after its loader returned)
 * and a request holds the one value it was given; nothing is mutated in place.
 *
 * <p>A loaded version no request has asked for in {@code unloadAfter} (one a newer rule replaced,
 * or whose series went quiet) is closed on the loader thread, so swapping versions does not pile
 * up their weights in memory; a later request loads it again.
 *
 * @param <T> what a loaded version is served by (a forecaster, or a batcher owning one)
 */
public final class BackgroundLoader<T extends AutoCloseable> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundLoader.class);

    /** A loaded value and the version it serves. */
    public record Served<T>(ModelRef ref, T value) {}

    private static final class Slot<T> {
        final CompletableFuture<T> future = new CompletableFuture<>();
        volatile T ready;
        volatile long failedAt = Long.MIN_VALUE;
        /** Clock time of the last request that asked for this version. */
        volatile long askedAt;
    }

    private final Function<ModelRef, T> loader;
    private final ExecutorService executor;
    private final long retryAfterMillis;
    private final long unloadAfterMillis;
    private final LongSupplier clock;
    private long sweptAt;
    private final Map<ModelRef, Slot<T>> slots = new HashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong loads = new AtomicLong();
    private boolean closed;

    /** A loader that never unloads a version before {@link #close()}. */
    public BackgroundLoader(Function<ModelRef, T> loader, Duration retryAfter) {
        this(loader, retryAfter, Duration.ZERO);
    }

    /** @param unloadAfter a loaded version nobody asked for this long is closed; zero = never */
    public BackgroundLoader(Function<ModelRef, T> loader, Duration retryAfter, Duration unloadAfter) {
        this(loader, retryAfter, unloadAfter, System::currentTimeMillis);
    }

    BackgroundLoader(Function<ModelRef, T> loader, Duration retryAfter, LongSupplier clock) {
        this(loader, retryAfter, Duration.ZERO, clock);
    }

    BackgroundLoader(Function<ModelRef, T> loader, Duration retryAfter, Duration unloadAfter, LongSupplier clock) {
        this.loader = loader;
        this.retryAfterMillis = retryAfter.toMillis();
        this.unloadAfterMillis = unloadAfter.toMillis();
        this.clock = clock;
        this.sweptAt = clock.getAsLong();
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "patchcast-model-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /** The loaded value of a version, or null; starts loading it when it is not loaded or loading. */
    public T readyOrLoad(ModelRef ref) {
        return slot(ref).ready;
    }

    /**
     * The first candidate that is loaded, starting loads for the candidates ahead of it; null when
     * none is (the caller serves its default model).
     */
    public Served<T> firstReady(List<ModelRef> candidates) {
        return firstReady(candidates, t -> true);
    }

    /**
     * The first candidate that is loaded and {@code usable}, starting loads for the candidates ahead
     * of it; null when none is.
     */
    public Served<T> firstReady(List<ModelRef> candidates, java.util.function.Predicate<? super T> usable) {
        for (ModelRef ref : candidates) {
            T t = readyOrLoad(ref);
            if (t != null && usable.test(t)) {
                return new Served<>(ref, t);
            }
        }
        return null;
    }

    /** Completes when the version is loaded (or failed); starts loading it if needed. */
    public CompletableFuture<T> load(ModelRef ref) {
        return slot(ref).future;
    }

    private synchronized Slot<T> slot(ModelRef ref) {
        if (closed) {
            throw new IllegalStateException("model loader is closed");
        }
        long now = clock.getAsLong();
        sweep(now);
        Slot<T> s = slots.get(ref);
        if (s != null && (s.failedAt == Long.MIN_VALUE || now - s.failedAt < retryAfterMillis)) {
            s.askedAt = now;
            return s;
        }
        Slot<T> fresh = new Slot<>();
        fresh.askedAt = now;
        slots.put(ref, fresh);
        executor.execute(() -> run(ref, fresh));
        return fresh;
    }

    /** Closes, on the loader thread, the loaded versions nobody asked for in unloadAfter; at most once a minute. */
    private void sweep(long now) {
        if (unloadAfterMillis <= 0 || now - sweptAt < Math.min(60_000, unloadAfterMillis)) {
            return;
        }
        sweptAt = now;
        var it = slots.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ModelRef, Slot<T>> e = it.next();
            T ready = e.getValue().ready;
            if (ready != null && now - e.getValue().askedAt > unloadAfterMillis) {
                it.remove();
                ModelRef ref = e.getKey();
                LOG.info("model {} unloaded: no request asked for it in {} s", ref, unloadAfterMillis / 1000);
                executor.execute(() -> closeQuietly(ref, ready));
            }
        }
    }

    private void run(ModelRef ref, Slot<T> s) {
        long start = System.nanoTime();
        T t;
        try {
            t = loader.apply(ref);
        } catch (RuntimeException | Error e) {
            failures.incrementAndGet();
            s.failedAt = clock.getAsLong();
            LOG.error("model {} failed to load; the versions already serving keep serving (retry in {} s): {}",
                    ref, retryAfterMillis / 1000, e.toString());
            s.future.completeExceptionally(e);
            return;
        }
        synchronized (this) {
            if (closed) {
                closeQuietly(ref, t);
                s.future.completeExceptionally(new IllegalStateException("model loader closed while loading " + ref));
                return;
            }
            s.ready = t;
        }
        loads.incrementAndGet();
        LOG.info("model {} loaded in {} ms and swapped in", ref, (System.nanoTime() - start) / 1_000_000);
        s.future.complete(t);
    }

    /** Loads that failed so far. */
    public long failures() {
        return failures.get();
    }

    /** Loads that succeeded so far. */
    public long loads() {
        return loads.get();
    }

    @Override
    public void close() {
        List<Map.Entry<ModelRef, Slot<T>>> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(slots.entrySet());
            slots.clear();
        }
        executor.shutdownNow();
        for (Map.Entry<ModelRef, Slot<T>> e : toClose) {
            if (e.getValue().ready != null) {
                closeQuietly(e.getKey(), e.getValue().ready);
            }
        }
    }

    private static void closeQuietly(ModelRef ref, AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing model {} failed: {}", ref, e.toString());
        }
    }
}
