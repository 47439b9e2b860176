package io.patchcast.models.moiraimoe;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.LogThrottle;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import io.patchcast.models.distribution.Mixture;
import io.patchcast.models.distribution.SampleQuantiles;
import io.patchcast.models.module.MoEFeedForward;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * {@link Forecaster} over a Moirai-MoE checkpoint directory ({@code config.json} + {@code
 * model.safetensors}).
 *
 * <p>Requests are bucketed by their context length rounded up to a multiple of 16; within a bucket
 * each is left-padded to that length with observed=false and is_pad=true, exactly as GluonTS pads a
 * short series (spec §5.1). A series therefore always runs with the same tokens, alone or in any
 * batch; only the number of rows in the batched matmuls changes.
 *
 * <p>The first 16 steps (the next patch) come from the mixture itself: quantiles on {@link
 * QuantileGrid} by inverting its CDF, the analytic mean. Later steps come from {@code numSamples}
 * autoregressive sample paths (spec §9): GluonTS sample quantiles ({@code sorted[rint((S-1)q)]})
 * and the sample mean. Draws of a series are seeded from (seriesKey, patchStart, model version) and
 * taken in a fixed order per series, so a forecast is reproducible alone or in any batch.
 */
public final class MoiraiMoeForecaster implements Forecaster {

    private static final Logger LOG = LoggerFactory.getLogger(MoiraiMoeForecaster.class);

    /** A series near the float limit overflows in every batch it is in. */
    private final LogThrottle clampLog =
            new LogThrottle(java.time.Duration.ofMinutes(1));

    /** The uni2ts eval default (cli/conf/eval/model/moirai_moe_1.0_R_*.yaml, README): 100. */
    public static final int DEFAULT_NUM_SAMPLES = 100;

    static final int P = PackedBatch.PATCH;

    private final MoiraiMoEModule module;
    private final String name;
    private final String version;
    private final int numSamples;

    private MoiraiMoeForecaster(
            MoiraiMoEModule module, String name, String version, int numSamples) {
        this.module = module;
        this.name = name;
        this.version = version;
        this.numSamples = numSamples;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder: {@code setCheckpoint} is required. */
    public static final class Builder {
        private Path checkpoint;
        private Device device = Device.cpu();
        private String name = "moirai-moe";
        private String version = "0";
        private int numSamples = DEFAULT_NUM_SAMPLES;
        private int engineThreads;
        private MoEFeedForward.Dispatch dispatch; // null: the fastest for the device

        Builder() {}

        /**
         * How MoE layers reach their experts; by default the fastest for the device ({@link
         * MoEFeedForward.Dispatch#fastest}: {@code SPARSE_VECTOR} on CPU when the JVM has the
         * Vector API, else {@code SPARSE}), or the {@code DENSE_REFERENCE} baseline that
         * benchmarks measure beside it.
         */
        public Builder setDispatch(MoEFeedForward.Dispatch dispatch) {
            this.dispatch = dispatch;
            return this;
        }

        /**
         * Threads this model computes on (0 = one per available core): a batch's rows, or one
         * series' MoE experts, run side by side on Java threads ({@link
         * io.patchcast.models.module.ComputePool}); on CPU libtorch's own intra-op pool is set to
         * one thread for the JVM. Forecasts do not depend on the count. The job sets this from
         * its inference options.
         */
        public Builder setEngineThreads(int threads) {
            this.engineThreads = threads;
            return this;
        }

        public Builder setCheckpoint(Path dir) {
            this.checkpoint = dir;
            return this;
        }

        /** Engine device; CPU by default. */
        public Builder setDevice(Device device) {
            this.device = device;
            return this;
        }

        public Builder setName(String name) {
            this.name = name;
            return this;
        }

        /** Model version; part of every random seed. */
        public Builder setVersion(String version) {
            this.version = version;
            return this;
        }

        /** Sample paths for steps beyond the first patch. */
        public Builder setNumSamples(int numSamples) {
            this.numSamples = numSamples;
            return this;
        }

        public MoiraiMoeForecaster build() throws IOException {
            Objects.requireNonNull(checkpoint, "checkpoint directory");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(version, "version");
            if (numSamples < 2) {
                throw new IllegalArgumentException(
                        String.format(
                                "numSamples (%d) must be >= 2: sample quantiles need several paths",
                                numSamples));
            }
            if (engineThreads < 0) {
                throw new IllegalArgumentException(
                        String.format(
                                "engineThreads (%d) must be >= 0 (0 = one per core)",
                                engineThreads));
            }
            int threads =
                    engineThreads > 0 ? engineThreads : Runtime.getRuntime().availableProcessors();
            if (device.isGpu()) {
                threads = 1; // one stream of kernels; Java threads would only contend for it
            }
            MoEFeedForward.Dispatch moe =
                    dispatch != null ? dispatch : MoEFeedForward.Dispatch.fastest(device);
            MoiraiMoEModule m = MoiraiMoEModule.load(checkpoint, device, moe, threads);
            if (!device.isGpu()) {
                JniUtils.setNumThreads(1); // after load: the engine's native library is up now
            }
            LOG.info(
                    "Moirai-MoE forecaster {} version {} on {} with {} compute threads, {} sample"
                            + " paths",
                    name,
                    version,
                    device,
                    threads,
                    numSamples);
            return new MoiraiMoeForecaster(m, name, version, numSamples);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public int patchSize() {
        return P;
    }

    MoiraiMoEModule module() {
        return module;
    }

    /** Arrays held by the weight manager; constant across calls unless something leaks. */
    public int managedArrayCount() {
        return module.weights().getManagedArrays().size();
    }

    @Override
    public List<QuantileForecast> forecast(List<ForecastRequest> batch, int horizon) {
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon must be >= 1, got " + horizon);
        }
        if (batch.isEmpty()) {
            return List.of();
        }
        // bucket by padded context length: a series always runs with its own L, whatever else is
        // in the batch (only the row count of the batched matmuls changes)
        Map<Integer, List<Integer>> buckets = new TreeMap<>();
        for (int i = 0; i < batch.size(); i++) {
            int c = MoiraiMoEForecast.ceilDiv(batch.get(i).length(), P) * P;
            buckets.computeIfAbsent(c, k -> new ArrayList<>()).add(i);
        }
        QuantileForecast[] out = new QuantileForecast[batch.size()];
        for (Map.Entry<Integer, List<Integer>> e : buckets.entrySet()) {
            List<ForecastRequest> group = new ArrayList<>(e.getValue().size());
            for (int i : e.getValue()) {
                group.add(batch.get(i));
            }
            List<QuantileForecast> f = forecastBucket(group, e.getKey(), horizon);
            for (int j = 0; j < f.size(); j++) {
                out[e.getValue().get(j)] = f.get(j);
            }
        }
        LOG.debug(
                "{}: forecast {} series in {} length buckets, horizon {}",
                name,
                batch.size(),
                buckets.size(),
                horizon);
        return Arrays.asList(out);
    }

    /** Requests whose lengths pad to the same c. */
    private List<QuantileForecast> forecastBucket(List<ForecastRequest> batch, int c, int horizon) {
        int b = batch.size();
        MoiraiMoEForecast fc = new MoiraiMoEForecast(module, c, horizon, 1, numSamples);
        PackedBatch packed = fc.convert(pastInputs(fc, batch));
        int tok0 = fc.predIndex()[0];
        double[] levels = QuantileGrid.levels();
        int nq = levels.length;
        float[][] quantiles = new float[b][horizon * nq];
        float[][] means = new float[b][horizon];
        int first = Math.min(horizon, P);
        Mixture[] call0 = new Mixture[1];
        float[] paths = null;
        if (horizon <= P) {
            call0[0] = module.forwardAt(packed, new int[] {tok0});
        } else {
            SplittableRandom[] rng = new SplittableRandom[b];
            for (int i = 0; i < b; i++) {
                rng[i] = new SplittableRandom(seed(batch.get(i), version));
            }
            paths =
                    fc.forward(
                            packed,
                            (step, mix, token, path, series, variate, out) -> {
                                for (int j = 0; j < P; j++) {
                                    out[j] = (float) mix.sample(token, j, rng[series]);
                                }
                            },
                            new MoiraiMoEForecast.CallObserver() {
                                @Override
                                public void output(int call, Mixture mixture) {
                                    if (call == 0) {
                                        call0[0] = mixture;
                                    }
                                }

                                @Override
                                public boolean allTokens() {
                                    return false;
                                }
                            });
        }
        int clamped = 0;
        for (int i = 0; i < b; i++) {
            int tok = i; // call 0 computed token tok0 of each row only
            for (int h = 0; h < first; h++) {
                call0[0].quantiles(tok, h, levels, quantiles[i], h * nq);
                means[i][h] = call0[0].mean(tok, h);
            }
            if (paths != null) {
                double[] col = new double[numSamples];
                for (int h = P; h < horizon; h++) {
                    double sum = 0;
                    for (int s = 0; s < numSamples; s++) {
                        col[s] = paths[(i * numSamples + s) * horizon + h];
                        sum += col[s];
                    }
                    Arrays.sort(col);
                    for (int q = 0; q < nq; q++) {
                        quantiles[i][h * nq + q] = (float) SampleQuantiles.gluonTs(col, levels[q]);
                    }
                    means[i][h] = (float) (sum / numSamples);
                }
            }
            clamped += clampNonFinite(quantiles[i], means[i]);
        }
        long more = clamped > 0 ? clampLog.tryAcquire() : -1;
        if (more >= 0) {
            LOG.warn(
                    "{}: clamped {} non-finite quantiles/means to +-Float.MAX_VALUE (log-normal"
                            + " overflow) in a batch of {}{}",
                    name,
                    clamped,
                    b,
                    LogThrottle.more(more));
        }
        List<QuantileForecast> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            out.add(new QuantileForecast(quantiles[i], means[i]));
        }
        return out;
    }

    /**
     * Requests as GluonTS past inputs of fc's context length, via {@link
     * MoiraiMoEForecast#preprocess}.
     */
    static MoiraiMoEForecast.PastInputs pastInputs(
            MoiraiMoEForecast fc, List<ForecastRequest> batch) {
        List<float[][]> series = new ArrayList<>(batch.size());
        for (ForecastRequest r : batch) {
            float[][] v = new float[r.length()][1]; // (T, D=1); NaN = not observed
            for (int t = 0; t < v.length; t++) {
                v[t][0] = r.observed()[t] ? r.values()[t] : Float.NaN;
            }
            series.add(v);
        }
        return fc.preprocess(series);
    }

    private static int clampNonFinite(float[] q, float[] mean) {
        int n = 0;
        for (int i = 0; i < q.length; i++) {
            if (!Float.isFinite(q[i])) {
                q[i] = q[i] < 0 ? -Float.MAX_VALUE : Float.MAX_VALUE;
                n++;
            }
        }
        for (int i = 0; i < mean.length; i++) {
            if (!Float.isFinite(mean[i])) {
                mean[i] = mean[i] < 0 ? -Float.MAX_VALUE : Float.MAX_VALUE;
                n++;
            }
        }
        return n;
    }

    /** 64-bit seed from (seriesKey, patchStart, version): FNV-1a then the SplitMix64 finalizer. */
    static long seed(ForecastRequest r, String version) {
        long h = 0xcbf29ce484222325L;
        for (byte x : (r.seriesKey() + '\u0000' + version).getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        h ^= r.patchStart() * 0x9e3779b97f4a7c15L;
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    @Override
    public void close() {
        module.close();
    }
}
