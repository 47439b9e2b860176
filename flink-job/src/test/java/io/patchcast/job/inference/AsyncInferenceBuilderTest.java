package io.patchcast.job.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AsyncInferenceBuilderTest {

    @Test
    void defaultsBuild() {
        AsyncInference a = AsyncInference.builder().build();
        assertThat(a.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(a.capacity()).isEqualTo(256);
    }

    @Test
    void maxBatchDelayEqualToTheTimeoutIsRejected() {
        assertThatThrownBy(() -> AsyncInference.builder()
                        .setTimeout(Duration.ofMillis(500)).setMaxBatchDelay(Duration.ofMillis(500)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBatchDelay (500 ms) must be below timeout (500 ms):"
                        + " a batch would time out before it flushes");
    }

    @Test
    void maxBatchDelayAboveTheTimeoutIsRejected() {
        assertThatThrownBy(() -> AsyncInference.builder()
                        .setMaxBatchDelay(Duration.ofSeconds(30)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBatchDelay (30000 ms) must be below timeout (10000 ms)");
    }

    @Test
    void maxBatchDelayJustBelowTheTimeoutIsAccepted() {
        AsyncInference a = AsyncInference.builder()
                .setTimeout(Duration.ofMillis(500)).setMaxBatchDelay(Duration.ofMillis(499)).build();
        assertThat(a.timeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void nonPositiveSizesAreRejectedWithTheirName() {
        assertThatThrownBy(() -> AsyncInference.builder().setMaxBatchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBatchSize must be positive, got 0");
        assertThatThrownBy(() -> AsyncInference.builder().setCapacity(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be positive, got -1");
        assertThatThrownBy(() -> AsyncInference.builder().setHorizon(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("horizon must be positive, got 0");
    }

    @Test
    void nullsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> AsyncInference.builder().setTimeout(null))
                .isInstanceOf(NullPointerException.class).hasMessage("timeout");
        assertThatThrownBy(() -> AsyncInference.builder().setModel(null))
                .isInstanceOf(NullPointerException.class).hasMessage("model");
    }
}
