package io.patchcast.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackgroundLoaderTest {

    static final ModelRef V1 = new ModelRef("m", "1");
    static final ModelRef V2 = new ModelRef("m", "2");

    /** A loaded "model": remembers its version and whether it was closed. */
    static final class Loaded implements AutoCloseable {
        final ModelRef ref;
        volatile boolean closed;

        Loaded(ModelRef ref) {
            this.ref = ref;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void oldVersionServesUntilTheNewOneIsLoadedThenOnlyTheNew() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (BackgroundLoader<Loaded> loader = new BackgroundLoader<>(v2WaitsFor(release), Duration.ofMinutes(1))) {
            loader.load(V1).get(10, TimeUnit.SECONDS);
            List<ModelRef> candidates = List.of(V2, V1);
            // V2 is loading (blocked): every request is served by V1, none waits
            for (int i = 0; i < 100; i++) {
                assertThat(loader.firstReady(candidates).ref()).isEqualTo(V1);
            }
            release.countDown();
            loader.load(V2).get(10, TimeUnit.SECONDS);
            assertThat(loader.firstReady(candidates).ref()).isEqualTo(V2);
            assertThat(loader.firstReady(candidates).value().ref).isEqualTo(V2);
            assertThat(loader.loads()).isEqualTo(2);
            assertThat(loader.failures()).isZero();
        }
    }

    @Test
    void aFailingLoadKeepsTheOldVersionCountsTheFailureAndRetriesOnlyAfterTheDelay() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        AtomicLong attempts = new AtomicLong();
        try (BackgroundLoader<Loaded> loader = new BackgroundLoader<>(ref -> {
            if (ref.equals(V2)) {
                attempts.incrementAndGet();
                throw new IllegalStateException("SHA-256 of model.safetensors is 00, manifest expects ff");
            }
            return new Loaded(ref);
        }, Duration.ofSeconds(60), now::get)) {
            loader.load(V1).get(10, TimeUnit.SECONDS);
            assertThat(loader.load(V2)).failsWithin(10, TimeUnit.SECONDS);
            for (int i = 0; i < 50; i++) {
                assertThat(loader.firstReady(List.of(V2, V1)).ref()).isEqualTo(V1);
            }
            assertThat(loader.failures()).isEqualTo(1);
            assertThat(attempts).hasValue(1); // no reload storm from the requests above
            now.addAndGet(60_000);
            assertThat(loader.firstReady(List.of(V2, V1)).ref()).isEqualTo(V1);
            assertThat(loader.load(V2)).failsWithin(10, TimeUnit.SECONDS);
            assertThat(attempts).hasValue(2);
            assertThat(loader.failures()).isEqualTo(2);
        }
    }

    @Test
    void aVersionNobodyAsksForIsUnloadedAfterTheIdleTimeAndLoadsAgainWhenAskedFor() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        List<Loaded> made = Collections.synchronizedList(new ArrayList<>());
        try (BackgroundLoader<Loaded> loader = new BackgroundLoader<>(ref -> {
            Loaded l = new Loaded(ref);
            made.add(l);
            return l;
        }, Duration.ofMinutes(1), Duration.ofMinutes(30), now::get)) {
            Loaded v1 = loader.load(V1).get(10, TimeUnit.SECONDS);
            Loaded v2 = loader.load(V2).get(10, TimeUnit.SECONDS);
            // a newer rule routes to V2 only: requests keep asking for V2, never for V1
            for (int minute = 1; minute <= 31; minute++) {
                now.addAndGet(60_000);
                assertThat(loader.firstReady(List.of(V2)).value()).isSameAs(v2);
            }
            // a load queued now runs on the loader thread after the close the last sweep queued
            loader.load(new ModelRef("m", "3")).get(10, TimeUnit.SECONDS);
            assertThat(v1.closed).as("V1, idle for 31 minutes").isTrue();
            assertThat(v2.closed).isFalse();
            BackgroundLoader.Served<Loaded> s = loader.firstReady(List.of(V1)); // starts loading it again
            assertThat(s == null || s.value() != v1).as("never the closed instance").isTrue();
            Loaded again = loader.load(V1).get(10, TimeUnit.SECONDS);
            assertThat(again).isNotSameAs(v1);
            assertThat(again.closed).isFalse();
            assertThat(made).hasSize(4);
        }
    }

    @Test
    void aVersionAskedForOncePerLongPatchStaysLoadedBetweenAsks() throws Exception {
        // a 5-minute series asks once per patch of 16 points: every 80 minutes, longer than unloadAfter
        AtomicLong now = new AtomicLong(1_000);
        AtomicLong loads = new AtomicLong();
        Duration patch = Duration.ofMinutes(80);
        try (BackgroundLoader<Loaded> loader = new BackgroundLoader<>(ref -> {
            loads.incrementAndGet();
            return new Loaded(ref);
        }, Duration.ofMinutes(1), Duration.ofHours(1), now::get)) {
            Loaded v1 = loader.load(V1).get(10, TimeUnit.SECONDS);
            loader.load(V2).get(10, TimeUnit.SECONDS);
            loader.firstReady(List.of(V1), l -> true, patch);
            for (int ask = 0; ask < 6; ask++) {
                // other series keep asking for other versions every minute: the sweep runs meanwhile
                for (int minute = 0; minute < 80; minute++) {
                    now.addAndGet(60_000);
                    loader.readyOrLoad(V2);
                }
                BackgroundLoader.Served<Loaded> s = loader.firstReady(List.of(V1), l -> true, patch);
                assertThat(s).as("ask %d", ask).isNotNull();
                assertThat(s.value()).isSameAs(v1);
            }
            assertThat(loads).hasValue(2); // V1 and V2, once each
            // once its series stop asking, V1 goes after twice its interval (160 min), not after the hour
            for (int minute = 0; minute < 150; minute++) {
                now.addAndGet(60_000);
                loader.readyOrLoad(V2);
            }
            loader.load(new ModelRef("m", "3")).get(10, TimeUnit.SECONDS); // runs after any queued close
            assertThat(v1.closed).isFalse();
            for (int minute = 0; minute < 11; minute++) {
                now.addAndGet(60_000);
                loader.readyOrLoad(V2);
            }
            loader.load(new ModelRef("m", "4")).get(10, TimeUnit.SECONDS);
            assertThat(v1.closed).isTrue();
        }
    }

    @Test
    void onlyTheFirstCandidateIsLoadedNotEveryVersionItReplaced() throws Exception {
        ModelRef v3 = new ModelRef("m", "3");
        List<ModelRef> loaded = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        try (BackgroundLoader<Loaded> loader = new BackgroundLoader<>(ref -> {
            loaded.add(ref);
            if (ref.equals(v3)) {
                await(release);
            }
            return new Loaded(ref);
        }, Duration.ofMinutes(1))) {
            // after a restart nothing is loaded: a rule's chain is V3, then the versions it replaced
            for (int i = 0; i < 10; i++) {
                assertThat(loader.firstReady(List.of(v3, V2, V1))).isNull(); // the default model serves
            }
            release.countDown();
            loader.load(v3).get(10, TimeUnit.SECONDS);
            assertThat(loader.firstReady(List.of(v3, V2, V1)).ref()).isEqualTo(v3);
            assertThat(loaded).containsExactly(v3);
        }
    }

    @Test
    void whenTheFirstCandidateFailsTheNextOneIsLoaded() throws Exception {
        List<ModelRef> loaded = Collections.synchronizedList(new ArrayList<>());
        try (BackgroundLoader<Loaded> loader = new BackgroundLoader<>(ref -> {
            loaded.add(ref);
            if (ref.equals(V2)) {
                throw new IllegalStateException("SHA-256 mismatch");
            }
            return new Loaded(ref);
        }, Duration.ofMinutes(1))) {
            assertThat(loader.load(V2)).failsWithin(10, TimeUnit.SECONDS);
            loader.firstReady(List.of(V2, V1)); // V2 is failing: this request starts loading V1
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (loader.loads() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(loaded).containsExactly(V2, V1);
            assertThat(loader.firstReady(List.of(V2, V1)).ref()).isEqualTo(V1);
        }
    }

    @Test
    void closingRightAfterAnUnloadStillClosesTheUnloadedVersion() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        CountDownLatch release = new CountDownLatch(1);
        ModelRef slow = new ModelRef("m", "slow");
        BackgroundLoader<Loaded> loader = new BackgroundLoader<>(ref -> {
            if (ref.equals(slow)) {
                await(release);
            }
            return new Loaded(ref);
        }, Duration.ofMinutes(1), Duration.ofMinutes(30), now::get);
        Loaded v1 = loader.load(V1).get(10, TimeUnit.SECONDS);
        loader.load(slow); // occupies the loader thread
        now.addAndGet(Duration.ofMinutes(31).toMillis());
        loader.readyOrLoad(V2); // the sweep queues V1's close behind the slow load
        loader.close(); // cancels what is queued, but not that close
        release.countDown();
        assertThat(v1.closed).isTrue();
    }

    @Test
    void noCandidateLoadedMeansTheDefaultAndClosingClosesEveryLoadedVersion() throws Exception {
        List<Loaded> made = Collections.synchronizedList(new ArrayList<>());
        BackgroundLoader<Loaded> loader = new BackgroundLoader<>(ref -> {
            Loaded l = new Loaded(ref);
            made.add(l);
            return l;
        }, Duration.ofMinutes(1));
        assertThat(loader.firstReady(List.of())).isNull();
        loader.load(V1).get(10, TimeUnit.SECONDS);
        loader.load(V2).get(10, TimeUnit.SECONDS);
        loader.close();
        assertThat(made).hasSize(2).allMatch(l -> l.closed);
    }

    @Test
    void sumOfLoadedCountsOnlyTheVersionsLoadedNow() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        BackgroundLoader<Loaded> loader = new BackgroundLoader<>(v2WaitsFor(release), Duration.ofMinutes(1));
        // the version's number stands for what a gauge sums, e.g. a batcher's queued requests
        java.util.function.ToLongFunction<Loaded> number = l -> Long.parseLong(l.ref.version());
        assertThat(loader.sumOfLoaded(number)).isZero();
        loader.load(V1).get(10, TimeUnit.SECONDS);
        assertThat(loader.readyOrLoad(V2)).isNull(); // loading, not loaded: not counted
        assertThat(loader.sumOfLoaded(number)).isEqualTo(1);
        release.countDown();
        loader.load(V2).get(10, TimeUnit.SECONDS);
        assertThat(loader.sumOfLoaded(number)).isEqualTo(3);
        loader.close();
        assertThat(loader.sumOfLoaded(number)).isZero();
    }

    @Test
    void concurrentRequestsDuringASwapEachGetOneWholeVersionAndNeverGoBack() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (BackgroundLoader<Loaded> loader = new BackgroundLoader<>(v2WaitsFor(release), Duration.ofMinutes(1))) {
            loader.load(V1).get(10, TimeUnit.SECONDS);
            Map<Integer, List<ModelRef>> seen = new ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                threads.add(new Thread(() -> {
                    List<ModelRef> mine = new ArrayList<>();
                    for (int i = 0; i < 20_000; i++) {
                        BackgroundLoader.Served<Loaded> s = loader.firstReady(List.of(V2, V1));
                        assertThat(s.value().ref).isEqualTo(s.ref()); // the version named is the one serving
                        mine.add(s.ref());
                        if (i == 5_000 && id == 0) {
                            release.countDown();
                            loader.load(V2).join();
                        }
                    }
                    seen.put(id, mine);
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            // a failed assertion inside a thread ends that thread before it records what it saw
            assertThat(seen).as("every thread ran to the end").hasSize(4);
            for (List<ModelRef> s : seen.values()) {
                int firstNew = s.indexOf(V2);
                assertThat(s.subList(0, firstNew < 0 ? s.size() : firstNew)).allMatch(V1::equals);
                if (firstNew >= 0) {
                    assertThat(s.subList(firstNew, s.size())).allMatch(V2::equals);
                }
            }
            assertThat(seen.get(0)).contains(V1, V2);
        }
    }

    @Test
    void aRequestWaitsForItsLoadingVersionInsteadOfBeingAnsweredWithoutOne() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (BackgroundLoader<Loaded> loader = new BackgroundLoader<>(ref -> {
            await(release);
            return new Loaded(ref);
        }, Duration.ofMinutes(1))) {
            var served = loader.firstReadyAwaiting(List.of(V2), t -> true, Duration.ZERO, Duration.ofSeconds(20));
            Thread.sleep(300);
            assertThat(served).isNotDone(); // firstReady would have answered null: the caller's default
            release.countDown();
            assertThat(served.get(10, TimeUnit.SECONDS).ref()).isEqualTo(V2);
            assertThat(loader.loads()).isEqualTo(1);
        }
    }

    @Test
    void aLoadedLaterCandidateServesAtOnceWhileTheFirstLoads() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (BackgroundLoader<Loaded> loader = new BackgroundLoader<>(v2WaitsFor(release), Duration.ofMinutes(1))) {
            loader.load(V1).get(10, TimeUnit.SECONDS);
            var served = loader.firstReadyAwaiting(List.of(V2, V1), t -> true, Duration.ZERO, Duration.ofSeconds(20));
            assertThat(served).isDone();
            assertThat(served.get().ref()).isEqualTo(V1);
            release.countDown();
        }
    }

    @Test
    void aLoadIsWaitedForAtMostMaxWaitAfterItStarted() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        CountDownLatch release = new CountDownLatch(1);
        try (BackgroundLoader<Loaded> loader = new BackgroundLoader<>(ref -> {
            await(release);
            return new Loaded(ref);
        }, Duration.ofMinutes(1), now::get)) {
            long t0 = System.nanoTime();
            var first = loader.firstReadyAwaiting(List.of(V2), t -> true, Duration.ZERO, Duration.ofMillis(300));
            assertThat(first.get(10, TimeUnit.SECONDS)).isNull(); // still loading after 300 ms
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 5_000L);
            now.addAndGet(300); // the load started maxWait ago: later requests are not held back
            var later = loader.firstReadyAwaiting(List.of(V2), t -> true, Duration.ZERO, Duration.ofMillis(300));
            assertThat(later).isDone();
            assertThat(later.get()).isNull();
            release.countDown();
            loader.load(V2).get(10, TimeUnit.SECONDS);
            assertThat(loader.firstReadyAwaiting(List.of(V2), t -> true, Duration.ZERO, Duration.ofMillis(300))
                    .get().ref()).isEqualTo(V2);
        }
    }

    @Test
    void aFailedLoadEndsTheWaitAtOnceWithTheNextCandidateReady() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (BackgroundLoader<Loaded> loader = new BackgroundLoader<>(ref -> {
            await(release);
            if (ref.equals(V2)) {
                throw new IllegalStateException("SHA-256 mismatch");
            }
            return new Loaded(ref);
        }, Duration.ofMinutes(1))) {
            var served = loader.firstReadyAwaiting(List.of(V2, V1), t -> true, Duration.ZERO, Duration.ofSeconds(20));
            long t0 = System.nanoTime();
            release.countDown();
            // V2 failed; V1 was only looked at while V2 loaded, so nothing is ready yet: null, not a 20 s wait
            assertThat(served.get(10, TimeUnit.SECONDS)).isNull();
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000L);
            // that answer started V1's load (V2 is failing now), so the next request waits for V1
            assertThat(loader.firstReadyAwaiting(List.of(V2, V1), t -> true, Duration.ZERO, Duration.ofSeconds(20))
                    .get(10, TimeUnit.SECONDS).ref()).isEqualTo(V1);
            assertThat(loader.failures()).isEqualTo(1);
        }
    }

    /** Loads any version at once, except V2, which waits until {@code release} is counted down. */
    static java.util.function.Function<ModelRef, Loaded> v2WaitsFor(CountDownLatch release) {
        return ref -> {
            if (ref.equals(V2)) {
                await(release);
            }
            return new Loaded(ref);
        };
    }

    private static void await(CountDownLatch l) {
        try {
            if (!l.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
