package io.patchcast.job.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.models.fallback.SeasonalNaiveForecaster;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DefaultModelTest {

    static final Duration RETRY = Duration.ofMillis(50);

    /** A model that fails to load {@code failures} times (e.g. its folder is not mounted yet), then loads. */
    static final class Flaky implements java.util.function.Supplier<MicroBatcher> {
        final AtomicInteger attempts = new AtomicInteger();
        final int failures;

        Flaky(int failures) {
            this.failures = failures;
        }

        @Override
        public MicroBatcher get() {
            if (attempts.incrementAndGet() <= failures) {
                throw new IllegalArgumentException("model '/models/m' is neither a built-in model nor a model folder");
            }
            return new MicroBatcher(new SeasonalNaiveForecaster(), 8, Duration.ofMillis(5), 16);
        }
    }

    @Test
    void aModelThatFailsAtOpenIsTriedAgainUntilItLoadsThenServesWithoutARestart() throws Exception {
        Flaky flaky = new Flaky(2);
        int before = BatcherRegistry.active();
        DefaultModel m = new DefaultModel("/models/m", "DefaultModelTest-retry", flaky, RETRY);
        try {
            m.open();
            assertThat(m.batcher()).isNull(); // the first attempt failed: forecasts fall back meanwhile
            assertThat(flaky.attempts).hasValue(1);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (m.batcher() == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(m.batcher()).isNotNull();
            assertThat(m.batcher().forecaster().name()).isEqualTo("seasonal-naive");
            assertThat(flaky.attempts).hasValue(3);
            assertThat(BatcherRegistry.active()).isEqualTo(before + 1);
            Thread.sleep(5 * RETRY.toMillis());
            assertThat(flaky.attempts).hasValue(3); // loaded: no more attempts
        } finally {
            m.close();
        }
        assertThat(m.batcher()).isNull();
        assertThat(BatcherRegistry.active()).isEqualTo(before); // released, not leaked
    }

    @Test
    void closingStopsTheRetries() throws Exception {
        Flaky flaky = new Flaky(Integer.MAX_VALUE);
        DefaultModel m = new DefaultModel("/models/m", "DefaultModelTest-close", flaky, RETRY);
        m.open();
        Thread.sleep(4 * RETRY.toMillis());
        assertThat(flaky.attempts.get()).isGreaterThan(1);
        m.close();
        int attempts = flaky.attempts.get();
        Thread.sleep(5 * RETRY.toMillis());
        assertThat(flaky.attempts).hasValue(attempts);
        assertThat(m.batcher()).isNull();
    }

    @Test
    void aModelThatLoadsAtOpenIsLoadedOnceAndReleasedOnClose() throws Exception {
        Flaky flaky = new Flaky(0);
        int before = BatcherRegistry.active();
        DefaultModel m = new DefaultModel("/models/m", "DefaultModelTest-once", flaky, RETRY);
        m.open();
        assertThat(m.batcher()).isNotNull();
        Thread.sleep(3 * RETRY.toMillis());
        assertThat(flaky.attempts).hasValue(1);
        m.close();
        assertThat(BatcherRegistry.active()).isEqualTo(before);
    }
}
