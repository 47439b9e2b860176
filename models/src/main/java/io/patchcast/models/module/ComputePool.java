package io.patchcast.models.module;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Java threads that run independent pieces of one forward pass side by side: row chunks of a
 * batch, or the experts of an MoE layer when the batch is a single series.
 *
 * <p>Why not libtorch's own intra-op pool: its OpenMP threads wait for each other in spin
 * barriers, so when anything else runs on the same cores (a busy TaskManager, a build, a second
 * model) one descheduled thread stalls every matmul; measured on a loaded 2-core machine, the
 * small Moirai-MoE forecast of one series fell from 8.2 series/s (1 intra-op thread) to 0.35
 * series/s (2 intra-op threads). Pieces handed to this pool each run single-threaded to the end,
 * and their results are combined in a fixed order, so numbers never depend on the thread count.
 */
public final class ComputePool implements AutoCloseable {

    /** One thread: every piece runs on the caller, in order. */
    public static final ComputePool SEQUENTIAL = new ComputePool(1);

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final ExecutorService workers; // threads - 1 workers; the caller runs one piece too

    private ComputePool(int threads) {
        this.threads = threads;
        if (threads == 1) {
            this.workers = null;
        } else {
            int pool = POOLS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            this.workers =
                    Executors.newFixedThreadPool(
                            threads - 1,
                            r -> {
                                Thread t =
                                        new Thread(
                                                r,
                                                "patchcast-compute-"
                                                        + pool
                                                        + "-"
                                                        + n.incrementAndGet());
                                t.setDaemon(true);
                                return t;
                            });
        }
    }

    /** A pool of {@code threads} (>= 1) threads, the caller's included. */
    public static ComputePool of(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("compute threads must be >= 1, got " + threads);
        }
        return threads == 1 ? SEQUENTIAL : new ComputePool(threads);
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs every task and returns their results in task order; the caller runs the last task
     * itself. The first failure is rethrown (unchecked) after all tasks have finished.
     */
    public <T> List<T> invokeAll(List<? extends Callable<T>> tasks) {
        List<T> out = new ArrayList<>(tasks.size());
        if (workers == null || tasks.size() == 1) {
            for (Callable<T> t : tasks) {
                out.add(call(t));
            }
            return out;
        }
        List<Future<T>> futures = new ArrayList<>(tasks.size() - 1);
        for (int i = 0; i < tasks.size() - 1; i++) {
            futures.add(workers.submit(tasks.get(i)));
        }
        RuntimeException failure = null;
        T last = null;
        try {
            last = call(tasks.get(tasks.size() - 1));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<T> f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                failure = failure != null ? failure : unchecked(e.getCause());
                out.add(null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : new IllegalStateException("interrupted", e);
                out.add(null);
            }
        }
        if (failure != null) {
            throw failure;
        }
        out.add(last);
        return out;
    }

    /**
     * Runs many small tasks as at most {@link #threads()} contiguous groups, one per thread (a
     * task per thread hand-off would cost more than the task).
     */
    public void invokeInGroups(List<? extends Callable<?>> tasks) {
        int parts = Math.min(threads, tasks.size());
        List<Callable<Void>> groups = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            List<? extends Callable<?>> g =
                    tasks.subList(p * tasks.size() / parts, (p + 1) * tasks.size() / parts);
            groups.add(
                    () -> {
                        for (Callable<?> c : g) {
                            c.call();
                        }
                        return null;
                    });
        }
        invokeAll(groups);
    }

    private static <T> T call(Callable<T> t) {
        try {
            return t.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
