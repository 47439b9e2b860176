package io.patchcast.job.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.models.moiraimoe.bench.RandomCheckpoint;
import io.patchcast.store.Manifest;
import io.patchcast.store.ModelRef;
import io.patchcast.store.ModelRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AsyncInference} in Flink's async operator, with a real (random-weight, tiny) Moirai-MoE
 * version in a model store: which model a forecast comes from when the version is not loaded yet,
 * as after a restart, and when the default model appears only after the job started.
 */
class AsyncInferenceTest {

    static final ModelRef TINY = new ModelRef("tiny", "1");

    @TempDir
    Path tmp;

    /** A store holding {@link #TINY}: Moirai-MoE with d_model 64, random weights, and its manifest. */
    static Path tinyVersion(Path dir) throws Exception {
        RandomCheckpoint.write(dir, 64, 32, 1, 5);
        Manifest.of(dir, TINY.model(), TINY.version(), ModelRegistry.MOIRAI_MOE, Map.of(), "config.json",
                "model.safetensors").write(dir);
        return dir;
    }

    static InferenceTask task(String key, long patchStart, ModelRef... candidates) {
        float[] v = new float[64];
        boolean[] obs = new boolean[64];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (10 + Math.sin(i / 4.0));
            obs[i] = true;
        }
        return InferenceTask.single(new InferenceRequest(key, patchStart, 60_000, patchStart, v, obs), candidates);
    }

    /** The function in Flink's async operator (ordered, 60 s timeout, capacity 16). */
    static OneInputStreamOperatorTestHarness<InferenceTask, ForecastResult> harness(AsyncInference fn)
            throws Exception {
        return harness(fn, 60_000);
    }

    /** The same with the operator's timeout at {@code timeoutMs} of the harness' processing-time clock. */
    static OneInputStreamOperatorTestHarness<InferenceTask, ForecastResult> harness(AsyncInference fn, long timeoutMs)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new AsyncWaitOperatorFactory<>(
                (AsyncFunction<InferenceTask, ForecastResult>) fn, timeoutMs, 16,
                org.apache.flink.streaming.api.datastream.AsyncDataStream.OutputMode.ORDERED),
                TypeInformation.of(InferenceTask.class).createSerializer(new SerializerConfigImpl()));
    }

    /** Runs the tasks through the async operator and returns every result once all are answered. */
    static List<ForecastResult> run(AsyncInference fn, List<InferenceTask> tasks) throws Exception {
        try (var h = harness(fn)) {
            h.open();
            long t = 0;
            for (InferenceTask task : tasks) {
                h.processElement(task, t++);
            }
            h.endInput(); // waits for every in-flight request
            return new ArrayList<>(h.extractOutputValues());
        }
    }

    @Test
    void aRoutedVersionNotLoadedYetServesTheFirstRequestInsteadOfTheDefaultModel() throws Exception {
        Path store = tmp.resolve("store");
        tinyVersion(store.resolve(TINY.model()).resolve(TINY.version()));
        // no preload: the version is first asked for by a request, as after a restore from a checkpoint
        AsyncInference fn = AsyncInference.builder().setModel(ModelRegistry.SEASONAL_NAIVE)
                .setModelStore(store.toString()).setEngineThreads(1).setTimeout(Duration.ofSeconds(60)).build();
        List<ForecastResult> out = run(fn, List.of(task("cpu{host=\"a\"}", 0, TINY), task("mem", 0)));
        assertThat(out).hasSize(2);
        assertThat(out.get(0).model()).isEqualTo(TINY.model());
        assertThat(out.get(0).modelVersion()).isEqualTo(TINY.version());
        assertThat(out.get(0).status()).isEqualTo(ForecastStatus.OK);
        assertThat(out.get(1).model()).isEqualTo(ModelRegistry.SEASONAL_NAIVE); // not routed: the default
        assertThat(out.get(1).status()).isEqualTo(ForecastStatus.OK);
    }

    @Test
    void forecastsAreCountedPerModelVersionThatComputedThem() throws Exception {
        Path store = tmp.resolve("store");
        tinyVersion(store.resolve(TINY.model()).resolve(TINY.version()));
        AsyncInference fn = AsyncInference.builder().setModel(ModelRegistry.SEASONAL_NAIVE).setModelStore(store.toString())
                .setPreload(List.of(TINY)).setEngineThreads(1).setTimeout(Duration.ofSeconds(60)).build();
        List<ForecastResult> out = run(fn, List.of(task("a", 0, TINY), task("b", 0), task("c", 0, TINY),
                task("a", 16 * 60_000L, TINY), task("b", 16 * 60_000L)));
        assertThat(out).extracting(ForecastResult::status).containsOnly(ForecastStatus.OK);
        String naive = ModelRegistry.SEASONAL_NAIVE + "@" + out.get(1).modelVersion();
        assertThat(fn.countedByVersion()).containsOnly(Map.entry("tiny@1", 3L), Map.entry(naive, 2L));
        assertThat(fn.counted()).containsExactly(5, 0, 0); // the per-job totals agree
    }

    @Test
    void aDefaultModelMissingAtStartTakesOverOnceItCanBeLoaded() throws Exception {
        Path later = tmp.resolve("later");
        AsyncInference fn = AsyncInference.builder().setModel(later.toString()).setEngineThreads(1)
                .setLoadRetry(Duration.ofMillis(100)).setTimeout(Duration.ofSeconds(60)).build();
        try (var h = harness(fn)) {
            h.open();
            h.processElement(task("a", 0), 0);
            // the folder appears whole (written aside, then renamed into place, as a deploy does)
            java.nio.file.Files.move(tinyVersion(tmp.resolve("staging")), later,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!fn.defaultModelLoaded() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            h.processElement(task("a", 16 * 60_000L), 1);
            h.endInput();
            List<ForecastResult> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            assertThat(out.get(0).model()).isEqualTo(ModelRegistry.SEASONAL_NAIVE);
            assertThat(out.get(0).status()).isEqualTo(ForecastStatus.FALLBACK);
            assertThat(out.get(1).model()).isEqualTo(TINY.model());
            assertThat(out.get(1).status()).isEqualTo(ForecastStatus.OK);
        }
    }

    @Test
    void aForecastFinishedAfterFlinkAnsweredWithATimeoutIsNotCountedAsServed() throws Exception {
        // the batch waits 500 ms to fill; Flink's own timeout (100 ms of the harness' clock) answers first
        AsyncInference fn = AsyncInference.builder().setModel(ModelRegistry.SEASONAL_NAIVE)
                .setMaxBatchDelay(Duration.ofMillis(500)).setTimeout(Duration.ofSeconds(60)).build();
        try (var h = harness(fn, 100)) {
            h.open();
            h.processElement(task("a", 0), 0);
            h.setProcessingTime(h.getProcessingTime() + 100);
            assertThat(fn.counted()[2]).isEqualTo(1); // answered with TIMEOUT
            Thread.sleep(1_500); // the batch runs after its 500 ms delay; its result arrives well within this
            // before: forecasts 1 as well, so the throughput metrics counted a forecast nobody received
            assertThat(fn.counted()).containsExactly(0, 0, 1);
            h.endInput();
            assertThat(h.extractOutputValues()).singleElement()
                    .satisfies(r -> assertThat(r.status()).isEqualTo(ForecastStatus.TIMEOUT));
        }
    }
}
