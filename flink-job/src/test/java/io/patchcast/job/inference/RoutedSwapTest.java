package io.patchcast.job.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import io.patchcast.store.BackgroundLoader;
import io.patchcast.store.ModelRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The hot swap as {@link AsyncInference} does it: requests pinned to the first loaded candidate's
 * micro-batcher while the new version loads in the background; every batch runs on one version.
 */
class RoutedSwapTest {

    static final ModelRef V1 = new ModelRef("m", "1");
    static final ModelRef V2 = new ModelRef("m", "2");
    static final ModelRef BROKEN = new ModelRef("m", "3");

    /** Forecasts its own version number for every step; records which series each call held. */
    static final class VersionForecaster implements Forecaster {
        final String version;
        final List<List<String>> batches = new CopyOnWriteArrayList<>();

        VersionForecaster(String version) {
            this.version = version;
        }

        @Override
        public String name() {
            return "m";
        }

        @Override
        public String version() {
            return version;
        }

        @Override
        public int patchSize() {
            return 16;
        }

        @Override
        public List<QuantileForecast> forecast(List<ForecastRequest> batch, int horizon) {
            List<String> keys = new ArrayList<>();
            List<QuantileForecast> out = new ArrayList<>();
            float v = Float.parseFloat(version);
            for (ForecastRequest r : batch) {
                keys.add(r.seriesKey());
                float[] q = new float[horizon * QuantileGrid.size()];
                java.util.Arrays.fill(q, v);
                float[] mean = new float[horizon];
                java.util.Arrays.fill(mean, v);
                out.add(new QuantileForecast(q, mean));
            }
            batches.add(keys);
            return out;
        }
    }

    record Submitted(ModelRef pinned, CompletableFuture<BatchResult> result) {}

    @Test
    void requestsStayOnTheOldVersionWhileTheNewLoadsAndEveryBatchRunsOnOneVersion() throws Exception {
        CountDownLatch loadV2 = new CountDownLatch(1);
        List<VersionForecaster> made = new CopyOnWriteArrayList<>();
        try (BackgroundLoader<MicroBatcher> loader = new BackgroundLoader<>(ref -> {
            if (ref.equals(BROKEN)) {
                throw new IllegalStateException("SHA-256 mismatch");
            }
            if (ref.equals(V2)) {
                try {
                    loadV2.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            VersionForecaster f = new VersionForecaster(ref.version());
            made.add(f);
            return new MicroBatcher(f, 8, Duration.ofMillis(5), 16);
        }, Duration.ofMinutes(5))) {
            loader.load(V1).get(30, TimeUnit.SECONDS);
            List<Submitted> submitted = new ArrayList<>();
            List<ModelRef> candidates = List.of(BROKEN, V2, V1);
            for (int i = 0; i < 2000; i++) {
                if (i == 500) {
                    loadV2.countDown();
                }
                if (i == 1500) {
                    loader.load(V2).get(30, TimeUnit.SECONDS);
                }
                BackgroundLoader.Served<MicroBatcher> s = loader.firstReady(candidates);
                String key = "s" + (i % 7) + "#" + s.ref().version();
                submitted.add(new Submitted(s.ref(), s.value().submit(
                        new ForecastRequest(key, i, new float[] {1, 2}, new boolean[] {true, true}))));
            }
            int firstNew = -1;
            for (int i = 0; i < submitted.size(); i++) {
                Submitted s = submitted.get(i);
                BatchResult r = s.result().get(30, TimeUnit.SECONDS);
                // the output comes from the version the request was pinned to
                assertThat(r.forecast().mean()[0]).isEqualTo(Float.parseFloat(s.pinned().version()));
                if (s.pinned().equals(V2) && firstNew < 0) {
                    firstNew = i;
                }
                if (firstNew >= 0) {
                    assertThat(s.pinned()).as("request %d after the swap", i).isEqualTo(V2);
                }
            }
            assertThat(firstNew).as("V2 served, and not before its load was released").isGreaterThanOrEqualTo(500)
                    .isLessThanOrEqualTo(1500);
            assertThat(loader.failures()).isEqualTo(1); // the broken version, tried once
            for (VersionForecaster f : made) {
                for (List<String> batch : f.batches) {
                    assertThat(batch).as("a batch of version %s", f.version)
                            .allMatch(k -> k.endsWith("#" + f.version));
                }
            }
        }
    }
}
