package io.patchcast.models.moiraimoe.bench;

import ai.djl.Device;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.module.MoEFeedForward.Dispatch;
import io.patchcast.models.moiraimoe.MoiraiMoeForecaster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Throughput of {@link MoiraiMoeForecaster} (series per second) against the {@link
 * Dispatch#DENSE_REFERENCE} baseline measured in the same run, plus memory figures and an optional
 * native-memory leak check. What one call does mirrors /work/shared/tools/moirai-moe-ref-bench.py:
 * one forecast of B fully observed series of C steps, horizon H, S sample paths.
 *
 * <p>The optimized and the baseline model are loaded together, on the same engine threads, inputs
 * and settings, and timed in alternating blocks, so that load from other processes on a shared
 * machine falls on both (peak memory therefore covers both models).
 */
public final class MoiraiBenchmark {

    /** Seed of the random checkpoint written for {@code small} / {@code base}. */
    static final long WEIGHTS_SEED = 1;

    /** Calls before the leak check's first resident-set reading. */
    static final int LEAK_WARMUP_CALLS = 200;

    /**
     * @param config {@code small}, {@code base} (random weights of the released shapes) or a
     *     checkpoint directory
     * @param seconds the optimized model warms up for seconds/2 (the baseline for one call), then
     *     each is timed for at least {@code seconds} in total
     * @param rounds timed blocks per model, alternating optimized and baseline (each block at
     *     least one call)
     * @param leakCheck consecutive batch-1 next-patch forecasts for the leak check; 0 = none
     */
    public record Settings(
            String config,
            int context,
            int horizon,
            int samples,
            int batch,
            int threads,
            Device device,
            boolean baseline,
            double seconds,
            int rounds,
            int leakCheck) {
        public Settings {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(device, "device");
            if (context < 1 || horizon < 1 || batch < 1 || samples < 2 || threads < 0) {
                throw new IllegalArgumentException(
                        String.format(
                                "context (%d), horizon (%d), batch (%d) must be >= 1, samples (%d)"
                                        + " >= 2, threads (%d) >= 0",
                                context, horizon, batch, samples, threads));
            }
            if (!(seconds > 0) || rounds < 1 || leakCheck < 0) {
                throw new IllegalArgumentException(
                        String.format(
                                "seconds (%s) must be > 0, rounds (%d) >= 1 and leakCheck (%d) >= 0",
                                seconds, rounds, leakCheck));
            }
        }
    }

    /** One timed configuration: calls made and their wall time. */
    public record Timing(long calls, double seconds, int batch) {
        public double seriesPerSecond() {
            return calls * batch / seconds;
        }

        Timing plus(Timing o) {
            return new Timing(calls + o.calls, seconds + o.seconds, batch);
        }
    }

    /** What a run measured; {@code baseline} null without a baseline, leak fields NaN without. */
    public record Result(
            Settings settings,
            String model,
            Timing optimized,
            Timing baseline,
            String dispatch,
            double peakHeapMb,
            double peakNativeMb,
            double peakRssMb,
            double rssMb,
            double rssGrowthMb,
            double nativeGrowthMb,
            int leakedArrays,
            double loadStart,
            double loadEnd) {

        /** The fields of the one JSON line {@code bench} prints, in order. */
        public Map<String, Object> fields() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("config", settings.config());
            m.put("context", settings.context());
            m.put("horizon", settings.horizon());
            m.put("samples", settings.samples());
            m.put("batch", settings.batch());
            m.put("threads", settings.threads());
            Device d = settings.device();
            m.put("device", d.isGpu() ? d.toString() : d.getDeviceType()); // "cpu", "gpu(0)"
            m.put("dispatch", dispatch); // sparse_vector (Java SIMD experts) or sparse (libtorch)
            m.put("series_per_s", round(optimized.seriesPerSecond()));
            m.put("calls", optimized.calls());
            m.put("rounds", settings.rounds());
            m.put("baseline", "dense_reference");
            m.put("baseline_series_per_s", baseline == null ? null : round(baseline.seriesPerSecond()));
            m.put("baseline_calls", baseline == null ? null : baseline.calls());
            m.put(
                    "ratio",
                    baseline == null
                            ? null
                            : round(optimized.seriesPerSecond() / baseline.seriesPerSecond()));
            m.put("peak_heap_mb", round(peakHeapMb));
            m.put("peak_native_mb", round(peakNativeMb));
            m.put("peak_rss_mb", round(peakRssMb));
            m.put("rss_mb", round(rssMb));
            if (settings.leakCheck() > 0) {
                m.put("leak_check_calls", settings.leakCheck());
                m.put("rss_growth_mb", round(rssGrowthMb));
                m.put("native_growth_mb", round(nativeGrowthMb));
                m.put("leaked_arrays", leakedArrays);
            }
            m.put("load_avg_start", round(loadStart));
            m.put("load_avg_end", round(loadEnd));
            return m;
        }

        public String toJson() {
            try {
                return new ObjectMapper().writeValueAsString(fields());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write benchmark JSON", e);
            }
        }
    }

    private MoiraiBenchmark() {}

    /** Runs the benchmark; progress lines go to {@code log}. */
    public static Result run(Settings s, Consumer<String> log) throws IOException {
        double loadStart = ProcessMemory.loadAverage();
        Path tmp = null;
        Path dir;
        String model;
        String c = s.config().toLowerCase(Locale.ROOT);
        if (c.equals("small") || c.equals("base")) {
            RandomCheckpoint.Released shapes = RandomCheckpoint.Released.valueOf(c.toUpperCase(Locale.ROOT));
            tmp = Files.createTempDirectory("patchcast-bench");
            log.accept(
                    String.format(
                            "writing random weights of the released %s shapes (d_model %d, d_ff %d,"
                                    + " %d layers) to %s",
                            c, shapes.dModel, shapes.dFf, shapes.numLayers, tmp));
            dir = RandomCheckpoint.write(tmp, shapes, WEIGHTS_SEED);
            model = "moirai-moe-" + c + "-random";
        } else {
            dir = Path.of(s.config());
            if (!Files.isRegularFile(dir.resolve("config.json"))) {
                throw new IllegalArgumentException(
                        "--config must be small, base or a checkpoint directory with config.json,"
                                + " got " + s.config());
            }
            model = "moirai-moe:" + dir.getFileName();
        }
        try {
            // the random checkpoint is built on the heap: leave it out of the peaks
            System.gc();
            ProcessMemory.resetPeaks();
            List<ForecastRequest> reqs = requests(s.batch(), s.context());
            Timing opt;
            Timing base = null;
            double[] leak = {Double.NaN, Double.NaN, 0};
            Dispatch fastest = Dispatch.fastest(s.device());
            try (MoiraiMoeForecaster f = open(s, dir, fastest);
                    MoiraiMoeForecaster g =
                            s.baseline() ? open(s, dir, Dispatch.DENSE_REFERENCE) : null) {
                Runnable sparse = () -> f.forecast(reqs, s.horizon());
                Runnable dense = g == null ? null : () -> g.forecast(reqs, s.horizon());
                warmUp(sparse, s.seconds() / 2);
                if (dense != null) {
                    warmUp(dense, 0);
                }
                // side by side: alternate blocks so that a change in machine load hits both
                opt = new Timing(0, 0, s.batch());
                base = dense == null ? null : new Timing(0, 0, s.batch());
                for (int r = 0; r < s.rounds(); r++) {
                    opt = opt.plus(time(sparse, s.batch(), s.seconds() / s.rounds()));
                    if (dense != null) {
                        base = base.plus(time(dense, s.batch(), s.seconds() / s.rounds()));
                    }
                }
                log.accept(line(fastest.name().toLowerCase(Locale.ROOT), opt));
                if (base != null) {
                    log.accept(line("dense_reference", base));
                }
                if (s.leakCheck() > 0) {
                    leak = leakCheck(f, s.context(), s.leakCheck(), log);
                }
            }
            double peakRss = ProcessMemory.peakRssMb();
            return new Result(
                    s,
                    model,
                    opt,
                    base,
                    fastest.name().toLowerCase(Locale.ROOT),
                    ProcessMemory.peakHeapMb(),
                    ProcessMemory.peakNativeMb(),
                    peakRss,
                    ProcessMemory.rssMb(),
                    leak[0],
                    leak[1],
                    (int) leak[2],
                    loadStart,
                    ProcessMemory.loadAverage());
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    private static MoiraiMoeForecaster open(Settings s, Path dir, Dispatch dispatch)
            throws IOException {
        return MoiraiMoeForecaster.builder()
                .setCheckpoint(dir)
                .setName("bench-" + dispatch.name().toLowerCase(Locale.ROOT))
                .setDevice(s.device())
                .setEngineThreads(s.threads())
                .setNumSamples(s.samples())
                .setDispatch(dispatch)
                .build();
    }

    private static String line(String what, Timing t) {
        return String.format(
                Locale.ROOT,
                "%-16s %10.3f series/s  (%d calls of %d series in %.2f s)",
                what,
                t.seriesPerSecond(),
                t.calls(),
                t.batch(),
                t.seconds());
    }

    /** Calls until {@code seconds} have passed, at least one. */
    static void warmUp(Runnable call, double seconds) {
        long w = System.nanoTime();
        do {
            call.run();
            ProcessMemory.sample();
        } while (System.nanoTime() - w < seconds * 1e9);
    }

    /** Timed calls until {@code seconds} have passed, at least one. */
    static Timing time(Runnable call, int batch, double seconds) {
        long start = System.nanoTime();
        long n = 0;
        do {
            call.run();
            n++;
            ProcessMemory.sample();
        } while (System.nanoTime() - start < seconds * 1e9);
        return new Timing(n, (System.nanoTime() - start) / 1e9, batch);
    }

    /**
     * {@code n} consecutive batch-1 next-patch forecasts after {@link #LEAK_WARMUP_CALLS}; returns
     * the growth in MiB (after a GC on both ends) of the resident set and of the resident set minus
     * committed heap (a GC that shrinks the heap lowers the first), and the change in arrays held by
     * the weight manager.
     */
    static double[] leakCheck(MoiraiMoeForecaster f, int context, int n, Consumer<String> log) {
        List<ForecastRequest> one = requests(1, context);
        for (int i = 0; i < LEAK_WARMUP_CALLS; i++) {
            f.forecast(one, 16);
        }
        System.gc();
        double rss0 = ProcessMemory.rssMb();
        double native0 = rss0 - ProcessMemory.heapCommittedMb();
        int arrays0 = f.managedArrayCount();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            f.forecast(one, 16);
            if (i % 1000 == 999) {
                ProcessMemory.sample();
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.gc();
        double rss1 = ProcessMemory.rssMb();
        double native1 = rss1 - ProcessMemory.heapCommittedMb();
        int arrays1 = f.managedArrayCount();
        log.accept(
                String.format(
                        Locale.ROOT,
                        "leak check: %d forecasts in %.1f s, RSS %.1f -> %.1f MiB (%+.1f), RSS -"
                                + " committed heap %.1f -> %.1f MiB (%+.1f), weight manager arrays"
                                + " %d -> %d",
                        n,
                        secs,
                        rss0,
                        rss1,
                        rss1 - rss0,
                        native0,
                        native1,
                        native1 - native0,
                        arrays0,
                        arrays1));
        return new double[] {rss1 - rss0, native1 - native0, arrays1 - arrays0};
    }

    /**
     * B fully observed series like the reference benchmark's: {@code 10 + sin(2 pi t / 24) * u * 5 +
     * N(0, 1)}, u uniform per series, seeded by B.
     */
    public static List<ForecastRequest> requests(int b, int context) {
        SplittableRandom r = new SplittableRandom(b);
        List<ForecastRequest> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            float[] v = new float[context];
            boolean[] o = new boolean[context];
            double amp = r.nextDouble() * 5;
            for (int t = 0; t < context; t++) {
                v[t] = (float) (10 + Math.sin(t / 24.0 * 6.283) * amp + r.nextGaussian());
                o[t] = true;
            }
            out.add(new ForecastRequest("s" + i, 0, v, o));
        }
        return out;
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : v;
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
