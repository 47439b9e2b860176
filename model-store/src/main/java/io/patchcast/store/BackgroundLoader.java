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
 * <p>Of the candidates, only the first one that is neither loaded nor failing is loaded: the ones
 * after it serve if they are loaded already but are not loaded for this request (after a restart,
 * only the version a rule names is loaded, not every version it once replaced).
 *
 * <p>{@link #firstReadyAwaiting} waits, for a bounded time from the start of a load, for a
 * candidate that is loading when none is loaded: the version a rule names serves from its first
 * request after a restart or an unload, as it did before, instead of the caller's default model.
 *
 * <p>A loaded version no request has asked for in {@code unloadAfter}, and in twice the longest
 * interval its askers said they ask at (a series asks once per patch: 80 minutes at a 5-minute
 * step), is closed on the loader thread, so swapping versions does not pile up their weights in
 * memory; a later request loads it again.
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
        /** The longest interval a request said it asks for this version at, in ms. */
        volatile long askIntervalMillis;
        /** Clock time the load was started. */
        final long startedAt;

        Slot(long startedAt) {
            this.startedAt = startedAt;
        }

        void asked(long now, Duration askInterval) {
            askedAt = now;
            askIntervalMillis = Math.max(askIntervalMillis, askInterval.toMillis());
        }

        boolean loading() {
            return ready == null && failedAt == Long.MIN_VALUE;
        }
    }

    /** Closes a version the sweep unloaded; run by {@link #close()} too if still queued then. */
    private record Unload(ModelRef ref, AutoCloseable value) implements Runnable {
        @Override
        public void run() {
            closeQuietly(ref, value);
        }
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
        return slot(ref, Duration.ZERO).ready;
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
        return firstReady(candidates, usable, Duration.ZERO);
    }

    /**
     * The first candidate that is loaded and {@code usable}; null when none is. Starts loading the
     * first candidate that is neither loaded nor failing; the ones after a loading candidate are
     * only looked at.
     *
     * @param askInterval how long until this caller asks again (a series: one patch); a version is
     *     not unloaded before twice the longest such interval has passed without a request
     */
    public Served<T> firstReady(List<ModelRef> candidates, java.util.function.Predicate<? super T> usable,
            Duration askInterval) {
        boolean loadingAhead = false;
        for (ModelRef ref : candidates) {
            Slot<T> s = loadingAhead ? peek(ref, askInterval) : slot(ref, askInterval);
            if (s == null) {
                continue;
            }
            T t = s.ready;
            if (t != null && usable.test(t)) {
                return new Served<>(ref, t);
            }
            loadingAhead |= s.loading();
        }
        return null;
    }

    /**
     * {@link #firstReady}, except when no candidate is loaded and one of them is loading: then the
     * answer waits for that load to end and is {@link #firstReady} at that time, so a request serves
     * the version it was routed to, not the caller's default model, while that version loads. A
     * load is waited for at most {@code maxWait} after it started: requests that come later, while
     * it is still loading, are answered at once (the caller's default), so a slow load holds
     * requests back for {@code maxWait} at most. Never completes exceptionally; null = no candidate
     * (also when the loader was closed meanwhile).
     */
    public CompletableFuture<Served<T>> firstReadyAwaiting(List<ModelRef> candidates,
            java.util.function.Predicate<? super T> usable, Duration askInterval, Duration maxWait) {
        Served<T> now = firstReady(candidates, usable, askInterval);
        if (now != null) {
            return CompletableFuture.completedFuture(now);
        }
        Slot<T> loading = firstLoading(candidates);
        long left = loading == null ? 0 : loading.startedAt + maxWait.toMillis() - clock.getAsLong();
        if (left <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        return loading.future.handle((t, e) -> (Served<T>) null)
                .completeOnTimeout(null, left, java.util.concurrent.TimeUnit.MILLISECONDS)
                .thenApply(x -> {
                    try {
                        return firstReady(candidates, usable, askInterval);
                    } catch (IllegalStateException closedMeanwhile) {
                        return null;
                    }
                });
    }

    /** The slot of the first candidate that is loading, or null. */
    private synchronized Slot<T> firstLoading(List<ModelRef> candidates) {
        for (ModelRef ref : candidates) {
            Slot<T> s = slots.get(ref);
            if (s != null && s.loading()) {
                return s;
            }
        }
        return null;
    }

    /** Completes when the version is loaded (or failed); starts loading it if needed. */
    public CompletableFuture<T> load(ModelRef ref) {
        return slot(ref, Duration.ZERO).future;
    }

    private synchronized Slot<T> slot(ModelRef ref, Duration askInterval) {
        if (closed) {
            throw new IllegalStateException("model loader is closed");
        }
        long now = clock.getAsLong();
        Slot<T> s = slots.get(ref);
        if (s == null || (s.failedAt != Long.MIN_VALUE && now - s.failedAt >= retryAfterMillis)) {
            Slot<T> fresh = new Slot<>(now);
            slots.put(ref, fresh);
            executor.execute(() -> run(ref, fresh));
            s = fresh;
        }
        s.asked(now, askInterval); // before the sweep: the version asked for now is never unloaded by it
        sweep(now);
        return s;
    }

    /** The slot of a version if it has one (loaded, loading or failing), without starting a load. */
    private synchronized Slot<T> peek(ModelRef ref, Duration askInterval) {
        if (closed) {
            throw new IllegalStateException("model loader is closed");
        }
        Slot<T> s = slots.get(ref);
        if (s != null) {
            s.asked(clock.getAsLong(), askInterval);
        }
        return s;
    }

    /**
     * Closes, on the loader thread, the loaded versions nobody asked for in unloadAfter and in twice
     * their longest ask interval; at most once a minute.
     */
    private void sweep(long now) {
        if (unloadAfterMillis <= 0 || now - sweptAt < Math.min(60_000, unloadAfterMillis)) {
            return;
        }
        sweptAt = now;
        var it = slots.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ModelRef, Slot<T>> e = it.next();
            Slot<T> slot = e.getValue();
            T ready = slot.ready;
            long idle = now - slot.askedAt;
            if (ready != null && idle > unloadAfterMillis && idle > 2 * slot.askIntervalMillis) {
                it.remove();
                ModelRef ref = e.getKey();
                LOG.info("model {} unloaded: no request asked for it in {} s", ref, idle / 1000);
                executor.execute(new Unload(ref, ready));
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

    /**
     * The sum of {@code f} over the versions loaded now (for a gauge over them all, e.g. their
     * batchers' queued requests); 0 when none is loaded or once closed.
     */
    public long sumOfLoaded(java.util.function.ToLongFunction<? super T> f) {
        List<T> loaded = new ArrayList<>();
        synchronized (this) {
            for (Slot<T> s : slots.values()) {
                T t = s.ready;
                if (t != null) {
                    loaded.add(t);
                }
            }
        }
        long sum = 0;
        for (T t : loaded) {
            sum += f.applyAsLong(t);
        }
        return sum;
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
        for (Runnable queued : executor.shutdownNow()) {
            if (queued instanceof Unload u) {
                u.run(); // an unloaded version still waiting to be closed
            }
        }
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
