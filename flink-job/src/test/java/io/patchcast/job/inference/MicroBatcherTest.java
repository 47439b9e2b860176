package io.patchcast.job.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

    /** Far longer than any test: only batch size (or close) can flush a batch. */
    static final Duration NEVER = Duration.ofHours(1);
    /** Safety net for waiting on futures; a hang fails the test instead of blocking the build. */
    static final long WAIT_S = 30;

    /**
     * Forecasts the last context value for every step (quantiles all equal to it); records each
     * batch; throws for a batch that holds a series named "bad"; can be held inside a call.
     */
    static final class FakeForecaster implements Forecaster {
        final List<List<String>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch hold;
        /** While true, a model call spins and ignores interrupts, like a long native call. */
        volatile boolean busy;
        volatile boolean closed;

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String version() {
            return "0";
        }

        @Override
        public int patchSize() {
            return 16;
        }

        @Override
        public List<QuantileForecast> forecast(List<ForecastRequest> batch, int horizon) {
            batches.add(batch.stream().map(ForecastRequest::seriesKey).toList());
            entered.countDown();
            while (busy) {
                Thread.onSpinWait();
            }
            CountDownLatch h = hold;
            if (h != null) {
                try {
                    h.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted in the model call");
                }
            }
            if (batch.stream().anyMatch(r -> r.seriesKey().equals("bad"))) {
                throw new IllegalStateException("model exploded");
            }
            List<QuantileForecast> out = new ArrayList<>();
            int l = QuantileGrid.size();
            for (ForecastRequest r : batch) {
                float last = r.values()[r.length() - 1];
                float[] q = new float[horizon * l];
                java.util.Arrays.fill(q, last);
                float[] m = new float[horizon];
                java.util.Arrays.fill(m, last);
                out.add(new QuantileForecast(q, m));
            }
            return out;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final FakeForecaster model = new FakeForecaster();
    MicroBatcher batcher;

    @AfterEach
    void closeBatcher() {
        if (batcher != null) {
            batcher.close();
        }
    }

    static ForecastRequest req(String key, float last) {
        return new ForecastRequest(key, 0L, new float[] {1f, last}, new boolean[] {true, true});
    }

    static BatchResult await(CompletableFuture<BatchResult> f) throws Exception {
        return f.get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    void fullBatchIsSentAtMaxBatchSize() throws Exception {
        batcher = new MicroBatcher(model, 4, NEVER, 16);
        List<CompletableFuture<BatchResult>> fs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fs.add(batcher.submit(req("s" + i, i)));
        }
        for (int i = 0; i < 8; i++) {
            BatchResult r = await(fs.get(i));
            assertThat(r.batchSize()).isEqualTo(4);
            assertThat(r.forecast().horizon()).isEqualTo(16);
            assertThat(r.forecast().mean()[0]).as("series s%d gets its own forecast", i).isEqualTo(i);
            assertThat(r.queueWaitNanos()).isNotNegative();
        }
        assertThat(model.batches).containsExactly(List.of("s0", "s1", "s2", "s3"), List.of("s4", "s5", "s6", "s7"));
    }

    @Test
    void aGroupStaysTogetherInOneBatchAndStartsTheNextWhenItDoesNotFit() throws Exception {
        batcher = new MicroBatcher(model, 4, Duration.ofMillis(200), 16);
        model.hold = new CountDownLatch(1);
        CompletableFuture<BatchResult> first = batcher.submit(req("s0", 0));
        assertThat(model.entered.await(WAIT_S, TimeUnit.SECONDS)).isTrue(); // s0 alone in the model call
        CompletableFuture<BatchResult> a = batcher.submit(req("s1", 1));
        CompletableFuture<BatchResult> b = batcher.submit(req("s2", 2));
        CompletableFuture<List<BatchResult>> group = batcher.submitAll(List.of(req("g0", 10), req("g1", 11), req("g2", 12)));
        CompletableFuture<BatchResult> c = batcher.submit(req("s3", 3));
        assertThat(batcher.queued()).as("queued requests, the group's three counted").isEqualTo(6);
        model.hold.countDown();
        await(first);
        await(a);
        await(b);
        await(c);
        List<BatchResult> g = group.get(WAIT_S, TimeUnit.SECONDS);
        assertThat(g).extracting(r -> r.forecast().mean()[0]).containsExactly(10f, 11f, 12f);
        // s1 s2 + the group of 3 would be 5 > 4: the group starts the next batch, s3 joins it
        assertThat(model.batches).containsExactly(List.of("s0"), List.of("s1", "s2"), List.of("g0", "g1", "g2", "s3"));
    }

    @Test
    void loneRequestIsSentAfterMaxBatchDelay() throws Exception {
        batcher = new MicroBatcher(model, 64, Duration.ofMillis(5), 16);
        BatchResult r = await(batcher.submit(req("alone", 7)));
        assertThat(r.batchSize()).isEqualTo(1);
        assertThat(r.forecast().mean()[15]).isEqualTo(7f);
        assertThat(model.batches).containsExactly(List.of("alone"));
    }

    @Test
    void aFailingBatchIsRetriedRequestByRequestSoOnlyTheBadOneFails() throws Exception {
        batcher = new MicroBatcher(model, 2, NEVER, 16);
        CompletableFuture<BatchResult> good1 = batcher.submit(req("good1", 1));
        CompletableFuture<BatchResult> bad = batcher.submit(req("bad", 2));
        CompletableFuture<BatchResult> good2 = batcher.submit(req("good2", 3));
        CompletableFuture<BatchResult> good3 = batcher.submit(req("good3", 4));

        assertThat(await(good1).forecast().mean()[0]).isEqualTo(1f);
        assertThat(await(good1).batchSize()).isEqualTo(1); // computed again, alone
        assertThatThrownBy(() -> await(bad)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("model exploded");
        assertThat(await(good2).forecast().mean()[0]).isEqualTo(3f);
        assertThat(await(good3).forecast().mean()[0]).isEqualTo(4f);
        assertThat(await(good3).batchSize()).isEqualTo(2);
        assertThat(model.batches).containsExactly(List.of("good1", "bad"), List.of("good1"), List.of("bad"),
                List.of("good2", "good3"));
    }

    @Test
    void closeFailsQueuedRequestsAndTheOneInTheModelCall() throws Exception {
        model.hold = new CountDownLatch(1);
        batcher = new MicroBatcher(model, 1, NEVER, 16);
        CompletableFuture<BatchResult> inCall = batcher.submit(req("a", 1));
        assertThat(model.entered.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<BatchResult> queued1 = batcher.submit(req("b", 2));
        CompletableFuture<BatchResult> queued2 = batcher.submit(req("c", 3));

        batcher.close();

        assertThat(inCall).isCompletedExceptionally();
        assertThat(queued1).isCompletedExceptionally();
        assertThat(queued2).isCompletedExceptionally();
        assertThatThrownBy(() -> await(queued1)).hasCauseInstanceOf(IllegalStateException.class)
                .hasRootCauseMessage("micro-batcher closed");
        assertThat(model.closed).isTrue();
        assertThat(model.batches).containsExactly(List.of("a"));
    }

    @Test
    void closeLeavesTheModelOpenWhileACallThatIgnoresInterruptsStillRuns() throws Exception {
        model.busy = true;
        batcher = new MicroBatcher(model, 1, NEVER, 16);
        CompletableFuture<BatchResult> inCall = batcher.submit(req("a", 1));
        assertThat(model.entered.await(WAIT_S, TimeUnit.SECONDS)).isTrue();

        batcher.close(); // waits 5 s for the worker, which is still inside the call

        assertThat(model.closed).as("freed under a running call").isFalse();
        model.busy = false;
        assertThat(await(inCall).forecast().mean()[0]).isEqualTo(1f);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!model.closed && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(model.closed).as("closed by the worker once the call returned").isTrue();
    }

    @Test
    void closeFailsARequestWaitingForItsBatchToFill() throws Exception {
        batcher = new MicroBatcher(model, 4, NEVER, 16);
        CompletableFuture<BatchResult> waiting = batcher.submit(req("a", 1));
        // the worker takes it off the queue and waits (up to an hour) for three more
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (batcher.queued() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(batcher.queued()).isZero();

        batcher.close();

        assertThat(waiting).isCompletedExceptionally();
        assertThat(model.batches).isEmpty();
    }

    @Test
    void requestsQueuedPastExpiryAreFailedWithoutAModelCall() throws Exception {
        model.hold = new CountDownLatch(1);
        batcher = new MicroBatcher(model, 1, NEVER, 16, Duration.ofMillis(50));
        CompletableFuture<BatchResult> inCall = batcher.submit(req("a", 1));
        assertThat(model.entered.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<BatchResult> stale = batcher.submit(req("b", 2));
        Thread.sleep(200); // b waits behind the held call past its 50 ms
        model.hold.countDown();
        assertThat(await(inCall).forecast().mean()[0]).isEqualTo(1f);
        assertThatThrownBy(() -> await(stale)).hasCauseInstanceOf(MicroBatcher.Expired.class);
        CompletableFuture<BatchResult> fresh = batcher.submit(req("c", 3));
        assertThat(await(fresh).forecast().mean()[0]).isEqualTo(3f);
        assertThat(model.batches).containsExactly(List.of("a"), List.of("c"));
    }

    @Test
    void submitAfterCloseFailsAtOnce() {
        batcher = new MicroBatcher(model, 4, NEVER, 16);
        batcher.close();
        CompletableFuture<BatchResult> f = batcher.submit(req("late", 1));
        assertThat(f).isCompletedExceptionally();
        assertThatThrownBy(f::join).hasRootCauseMessage("micro-batcher is closed");
    }

    @Test
    void rejectsANonPositiveBatchSize() {
        assertThatThrownBy(() -> new MicroBatcher(model, 0, NEVER, 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBatchSize must be positive, got 0");
    }
}
