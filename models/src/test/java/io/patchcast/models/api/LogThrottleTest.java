package io.patchcast.models.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {

    @Test
    void onceAnIntervalThenTheCountOfTheOnesHeldBack() {
        AtomicLong now = new AtomicLong(1_000);
        LogThrottle t = new LogThrottle(Duration.ofNanos(100), now::get);
        assertThat(t.tryAcquire()).isZero(); // the first occurrence is logged
        for (int i = 0; i < 5; i++) {
            now.addAndGet(10);
            assertThat(t.tryAcquire()).isEqualTo(-1); // within the interval: held back
        }
        now.set(1_099);
        assertThat(t.tryAcquire()).isEqualTo(-1);
        now.set(1_100);
        assertThat(t.tryAcquire()).isEqualTo(6); // logged, saying six were held back
        assertThat(t.tryAcquire()).isEqualTo(-1);
        now.set(1_200);
        assertThat(t.tryAcquire()).isEqualTo(1);
        assertThat(LogThrottle.more(6)).isEqualTo(" (6 more like it since the last)");
        assertThat(LogThrottle.more(0)).isEmpty();
    }
}
