package io.patchcast.job.inference;

import io.patchcast.job.config.PatchOptions;
import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.LogThrottle;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.fallback.SeasonalNaiveForecaster;
import io.patchcast.store.BackgroundLoader;
import io.patchcast.store.ModelRef;
import io.patchcast.store.ModelRegistry;
import io.patchcast.store.ModelStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forecasts patches asynchronously through the JVM's shared {@link MicroBatcher} for the model.
 * A failed model call yields a FALLBACK forecast and a timeout a TIMEOUT one, both from the
 * statistical fallback, so a series is never left unforecast and the job never restarts for it.
 * A request still queued for a batch when it times out is dropped ({@link MicroBatcher.Expired}),
 * so a model that falls behind works on fresh requests and its queue stays bounded.
 *
 * <p>A routed request goes to the first of its candidate versions that is loaded ({@link
 * BackgroundLoader#firstReady}); a candidate not loaded yet is loaded in the background meanwhile,
 * so a new version takes over when it is ready and a version that fails to load never serves. A
 * request is pinned to one batcher, hence one model version, when it is submitted: the version
 * named in its output is the one that computed it. When no candidate is loaded but one is loading
 * (after a restart or an unload, or a new ROUTE), the request waits for it, at most half the
 * inference timeout from the start of that load ({@link BackgroundLoader#firstReadyAwaiting}), so
 * a replay after a failover forecasts with the version the first run used; requests without a
 * loaded candidate then go to the default model ({@code patchcast.model}). The default model, if
 * it cannot be loaded at start, is tried again every {@code loadRetry} ({@link DefaultModel}).
 *
 * <p>A group task (every channel of a multichannel model for one patch) goes to the first loaded
 * candidate whose channels are the group's, as one unit of a batch. Without one, and for a single
 * series, only candidates that forecast single series qualify, then the default model; each
 * channel is then forecast on its own. Results come out one per series either way.
 */
public final class AsyncInference extends RichAsyncFunction<InferenceTask, ForecastResult> {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncInference.class);

    /** Values near the float limit make the fallback fail for every patch of their series. */
    private static final LogThrottle FALLBACK_FAILED =
            new LogThrottle(Duration.ofMinutes(1));

    /**
     * A routed version no request asked for in this long, and in two patches of the slowest series
     * that asked for it, is unloaded (its weights freed).
     */
    static final Duration ROUTED_UNLOAD_AFTER = Duration.ofHours(1);

    public static final int DEFAULT_MAX_BATCH_SIZE = 64;
    public static final Duration DEFAULT_MAX_BATCH_DELAY = Duration.ofMillis(20);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_CAPACITY = 256;

    private final String model;
    private final String device;
    private final int engineThreads;
    private final int maxBatchSize;
    private final Duration maxBatchDelay;
    private final Duration timeout;
    private final int capacity;
    private final int horizon;
    private final String modelStoreDir;
    private final List<ModelRef> preload;
    private final Duration loadRetry;

    private transient DefaultModel defaultModel;
    /** Tasks asked and not answered yet, by identity (at most the async capacity). */
    private transient Map<InferenceTask, Answer> inFlight;
    private transient BackgroundLoader<MicroBatcher> routed;
    private transient String routedKey;
    private transient Forecaster fallback;
    private transient Histogram batchSize;
    private transient Histogram queueWaitMs;
    private transient Histogram latencyMs;
    private transient Counter timeouts;
    private transient Counter fallbacks;
    private transient Counter forecasts;
    private transient MetricGroup metrics;
    /** {@link #forecasts} per model version that computed them, made on first use. */
    private transient Map<List<String>, Counter> forecastsByVersion;

    AsyncInference(Builder b) {
        this.model = b.model;
        this.device = b.device;
        this.engineThreads = b.engineThreads;
        this.maxBatchSize = b.maxBatchSize;
        this.maxBatchDelay = b.maxBatchDelay;
        this.timeout = b.timeout;
        this.capacity = b.capacity;
        this.horizon = b.horizon;
        this.modelStoreDir = b.modelStoreDir;
        this.preload = List.copyOf(b.preload);
        this.loadRetry = b.loadRetry;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration timeout() {
        return timeout;
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public void open(OpenContext ctx) {
        fallback = new SeasonalNaiveForecaster();
        inFlight = Collections.synchronizedMap(new IdentityHashMap<>());
        String batcherKey = model + "|" + device + "|" + engineThreads + "|" + System.getProperty("patchcast.home", ".")
                + "|" + maxBatchSize + "|" + maxBatchDelay + "|" + horizon + "|" + timeout;
        defaultModel = new DefaultModel(model, batcherKey, () -> new MicroBatcher(
                singleSeries(ModelRegistry.open(model, device, engineThreads)), maxBatchSize, maxBatchDelay,
                horizon, timeout), loadRetry);
        defaultModel.open();
        ModelStore store = ModelStore.of(modelStoreDir);
        routedKey = device + "|" + engineThreads + "|" + maxBatchSize + "|" + maxBatchDelay + "|" + horizon
                + "|" + timeout + "|" + modelStoreDir + "|" + loadRetry;
        routed = ServingPools.acquire(routedKey, () -> new BackgroundLoader<>(ref -> new MicroBatcher(
                servesHorizon(store.open(ref, device, engineThreads), horizon), maxBatchSize, maxBatchDelay, horizon,
                timeout), loadRetry, ROUTED_UNLOAD_AFTER));
        preload();
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("patchcast");
        batchSize = g.histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
        queueWaitMs = g.histogram("queueWaitMs", new DescriptiveStatisticsHistogram(1000));
        latencyMs = g.histogram("inferenceLatencyMs", new DescriptiveStatisticsHistogram(1000));
        // incremented from the batchers' threads as well as the task thread
        timeouts = g.counter("timeouts", new org.apache.flink.metrics.ThreadSafeSimpleCounter());
        fallbacks = g.counter("fallbacks", new org.apache.flink.metrics.ThreadSafeSimpleCounter());
        forecasts = g.counter("forecasts", new org.apache.flink.metrics.ThreadSafeSimpleCounter());
        g.meter("forecastsPerSecond", new MeterView(forecasts));
        metrics = g;
        forecastsByVersion = new HashMap<>();
        g.gauge("queuedRequests", () -> {
            DefaultModel d = defaultModel; // null once closed
            MicroBatcher b = d == null ? null : d.batcher();
            BackgroundLoader<MicroBatcher> r = routed;
            return (b == null ? 0 : b.queued()) + (r == null ? 0 : r.sumOfLoaded(MicroBatcher::queued));
        });
        g.gauge("modelLoads", () -> {
            BackgroundLoader<MicroBatcher> r = routed; // null once closed
            return r == null ? 0 : r.loads();
        });
        g.gauge("modelLoadFailures", () -> {
            BackgroundLoader<MicroBatcher> r = routed;
            return r == null ? 0 : r.failures();
        });
    }

    /** A version that cannot forecast the job's horizon fails its load (logged) instead of every call. */
    static Forecaster servesHorizon(Forecaster f, int horizon) {
        if (f.maxHorizon() < horizon) {
            String msg = String.format("%s@%s forecasts at most %d steps, the job forecasts %d (one patch): retrain"
                    + " it with a longer horizon (train-calf --pred-len %d)", f.name(), f.version(), f.maxHorizon(),
                    horizon, horizon);
            f.close();
            throw new IllegalArgumentException(msg);
        }
        return f;
    }

    /** The forecasts, fallbacks and timeouts counted so far; for tests. */
    long[] counted() {
        return new long[] {forecasts.getCount(), fallbacks.getCount(), timeouts.getCount()};
    }

    /** Whether the default model is loaded (else its forecasts fall back); for tests. */
    boolean defaultModelLoaded() {
        return defaultModel != null && defaultModel.batcher() != null;
    }

    /** The default model forecasts any series, so it cannot be a multichannel model. */
    private static Forecaster singleSeries(Forecaster f) {
        if (!f.channels().isEmpty()) {
            String msg = String.format("%s@%s is a multichannel model (channels %s): route its channels to it with a"
                    + " rule (patchcast.route.rules) instead of making it patchcast.model", f.name(), f.version(),
                    f.channels());
            f.close();
            throw new IllegalArgumentException(msg);
        }
        return f;
    }

    /** The versions of the configured rules serve from the first request, not after a load. */
    private void preload() {
        for (ModelRef ref : preload) {
            try {
                routed.load(ref).get(10, TimeUnit.MINUTES);
            } catch (ExecutionException | TimeoutException e) {
                LOG.error("model {} of a configured rule is not available; its series use the next candidate"
                        + " or the default model: {}", ref, e.getCause() == null ? e : e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * One task's answer. Once Flink has answered a task with TIMEOUT ({@link #timeout}), what its
     * model call yields later is not counted in the metrics: the records on the topic are the
     * timeout's, and counting both would show a healthy throughput while the model falls behind.
     */
    private final class Answer {
        final InferenceTask task;
        final ResultFuture<ForecastResult> result;
        volatile boolean timedOut;

        Answer(InferenceTask task, ResultFuture<ForecastResult> result) {
            this.task = task;
            this.result = result;
        }

        void complete(List<ForecastResult> out) {
            inFlight.remove(task);
            result.complete(out);
        }

        void computed(BatchResult r, Forecaster by) {
            if (!timedOut) {
                record(r, by);
            }
        }

        void failed(Throwable err) {
            if (!timedOut) {
                countFallback(err);
            }
        }

        void noModel() {
            if (!timedOut) {
                fallbacks.inc();
            }
        }
    }

    @Override
    public void asyncInvoke(InferenceTask task, ResultFuture<ForecastResult> result) {
        Answer answer = new Answer(task, result);
        inFlight.put(task, answer);
        List<ModelRef> candidates = List.of(task.candidates());
        Duration wait = loadWait();
        if (task.isGroup()) {
            List<String> channels = task.channelList();
            routed.firstReadyAwaiting(candidates, b -> b.forecaster().channels().equals(channels),
                    askInterval(task.requests()[0]), wait).thenAccept(s -> {
                        if (s != null) {
                            forecastGroup(s.value(), answer);
                        } else {
                            forecastEach(candidates, Duration.ZERO, answer); // waited already
                        }
                    }).whenComplete((v, err) -> {
                        if (err != null) { // a bug, not a model failure: never leave the task unanswered
                            LOG.error("group forecast of {} failed; its channels fall back", task.requests()[0].seriesKey(), err);
                            answer.noModel();
                            List<ForecastResult> out = new ArrayList<>(task.requests().length);
                            for (InferenceRequest req : task.requests()) {
                                out.add(fallbackResult(req, ForecastStatus.FALLBACK));
                            }
                            answer.complete(out);
                        }
                    });
            return;
        }
        forecastEach(candidates, wait, answer);
    }

    /**
     * How long a request waits for its routed version while that version loads (after a restart,
     * after an unload, after a new ROUTE), instead of going to the default model: half the inference
     * timeout, so the forecast itself still has the other half.
     */
    Duration loadWait() {
        return timeout.dividedBy(2);
    }

    /** Each request of the task on its own: its first loaded single-series candidate, else the default model. */
    private void forecastEach(List<ModelRef> candidates, Duration wait, Answer answer) {
        List<CompletableFuture<ForecastResult>> parts = new ArrayList<>(answer.task.requests().length);
        for (InferenceRequest req : answer.task.requests()) {
            parts.add(forecastOne(req, candidates, wait, answer));
        }
        CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).whenComplete((v, err) -> {
            List<ForecastResult> out = new ArrayList<>(parts.size());
            for (CompletableFuture<ForecastResult> p : parts) {
                out.add(p.join()); // never exceptional: forecastOne falls back itself
            }
            answer.complete(out);
        });
    }

    private void forecastGroup(MicroBatcher batcher, Answer answer) {
        InferenceTask task = answer.task;
        Forecaster model = batcher.forecaster();
        List<ForecastRequest> requests = new ArrayList<>(task.requests().length);
        for (InferenceRequest r : task.requests()) {
            requests.add(r.toForecastRequest());
        }
        batcher.submitAll(requests).whenComplete((rs, err) -> {
            List<ForecastResult> out = new ArrayList<>(requests.size());
            for (int i = 0; i < task.requests().length; i++) {
                InferenceRequest req = task.requests()[i];
                if (err != null) {
                    answer.failed(err);
                    out.add(fallbackResult(req, ForecastStatus.FALLBACK));
                } else {
                    answer.computed(rs.get(i), model);
                    out.add(toResult(req, rs.get(i).forecast(), model, ForecastStatus.OK));
                }
            }
            answer.complete(out);
        });
    }

    /**
     * One series: its first loaded single-series candidate (waiting up to {@code wait} for one that
     * is loading), else the default model; never fails.
     */
    private CompletableFuture<ForecastResult> forecastOne(InferenceRequest req, List<ModelRef> candidates,
            Duration wait, Answer answer) {
        DefaultModel defaults = defaultModel; // the continuation may run after close()
        CompletableFuture<BackgroundLoader.Served<MicroBatcher>> served = candidates.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : routed.firstReadyAwaiting(candidates, b -> b.forecaster().channels().isEmpty(), askInterval(req), wait);
        return served.thenCompose(s -> submit(req, s != null ? s.value() : defaults.batcher(), answer))
                .exceptionally(err -> {
                    LOG.error("forecast of {} failed before reaching a model; it falls back", req.seriesKey(), err);
                    answer.failed(err);
                    return fallbackResult(req, ForecastStatus.FALLBACK);
                });
    }

    /** The request on {@code batcher}, or the fallback when there is none or the model call fails. */
    private CompletableFuture<ForecastResult> submit(InferenceRequest req, MicroBatcher batcher, Answer answer) {
        if (batcher == null) {
            answer.noModel();
            return CompletableFuture.completedFuture(fallbackResult(req, ForecastStatus.FALLBACK));
        }
        Forecaster primary = batcher.forecaster();
        return batcher.submit(req.toForecastRequest()).handle((r, err) -> {
            if (err != null) {
                answer.failed(err);
                return fallbackResult(req, ForecastStatus.FALLBACK);
            }
            answer.computed(r, primary);
            return toResult(req, r.forecast(), primary, ForecastStatus.OK);
        });
    }

    /** A series asks for a forecast once per patch: its version must stay loaded at least that long. */
    static Duration askInterval(InferenceRequest req) {
        return Duration.ofMillis(PatchOptions.PATCH_SIZE * req.stepMillis());
    }

    /** A failed model call counts as a fallback; an expired request was already counted as a timeout. */
    private void countFallback(Throwable err) {
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                ? err.getCause() : err;
        if (!(cause instanceof MicroBatcher.Expired)) {
            fallbacks.inc();
        }
    }

    /** Called from the batchers' threads; the histograms are not thread-safe. */
    private synchronized void record(BatchResult r, Forecaster by) {
        batchSize.update(r.batchSize());
        queueWaitMs.update(r.queueWaitNanos() / 1_000_000);
        latencyMs.update(r.inferenceNanos() / 1_000_000);
        forecasts.inc();
        forecastsOf(by).inc();
    }

    /**
     * The forecasts one model version computed, with their rate (groups {@code patchcast.model.<name>.
     * version.<version>}): how the load splits between the default model and routed versions, and
     * whether a new version serves. Made on the version's first forecast; under {@link #record}'s lock.
     */
    private Counter forecastsOf(Forecaster model) {
        return forecastsByVersion.computeIfAbsent(List.of(model.name(), model.version()), v -> {
            MetricGroup g = metrics.addGroup("model", v.get(0)).addGroup("version", v.get(1));
            Counter c = g.counter("forecasts");
            g.meter("forecastsPerSecond", new MeterView(c));
            return c;
        });
    }

    /** The forecasts counted per model version so far, by "name@version"; for tests. */
    synchronized Map<String, Long> countedByVersion() {
        Map<String, Long> out = new HashMap<>();
        forecastsByVersion.forEach((v, c) -> out.put(v.get(0) + "@" + v.get(1), c.getCount()));
        return out;
    }

    @Override
    public void timeout(InferenceTask task, ResultFuture<ForecastResult> result) {
        Answer answer = inFlight.remove(task);
        if (answer != null) {
            answer.timedOut = true; // its model call may still finish: not counted then
        }
        List<ForecastResult> out = new ArrayList<>(task.requests().length);
        for (InferenceRequest req : task.requests()) {
            timeouts.inc();
            out.add(fallbackResult(req, ForecastStatus.TIMEOUT));
        }
        result.complete(out);
    }

    private ForecastResult fallbackResult(InferenceRequest req, ForecastStatus status) {
        return toResult(req, fallbackForecast(fallback, req, horizon), fallback, status);
    }

    /**
     * The fallback model's forecast; never throws, since a throw here would fail the task and
     * replay the same input. Should the fallback itself fail (e.g. its intervals overflow float on
     * values near 3.4e38), every quantile and the mean sit at the context's last observed value.
     */
    static QuantileForecast fallbackForecast(Forecaster fallback, InferenceRequest req, int horizon) {
        try {
            return fallback.forecast(List.of(req.toForecastRequest()), horizon).get(0);
        } catch (RuntimeException e) {
            long more = FALLBACK_FAILED.tryAcquire();
            if (more >= 0) {
                LOG.warn("{}: the fallback model failed on patch {} ({}); its forecast is the last observed value{}",
                        req.seriesKey(), req.patchStart(), e.toString(), LogThrottle.more(more));
            }
        }
        float last = 0f;
        for (int t = req.values().length - 1; t >= 0; t--) {
            if (req.observed()[t] && Float.isFinite(req.values()[t])) {
                last = req.values()[t];
                break;
            }
        }
        float[] q = new float[io.patchcast.models.api.QuantileGrid.size() * horizon];
        float[] mean = new float[horizon];
        java.util.Arrays.fill(q, last);
        java.util.Arrays.fill(mean, last);
        return new QuantileForecast(q, mean);
    }

    private static ForecastResult toResult(InferenceRequest req, QuantileForecast f, Forecaster m,
            ForecastStatus status) {
        return new ForecastResult(req.seriesKey(), req.patchStart(), req.stepMillis(), req.issueTime(),
                req.values().length, m.name(), m.version(), status, f.quantiles(), f.mean());
    }

    @Override
    public void close() {
        if (defaultModel != null) {
            defaultModel.close();
            defaultModel = null;
        }
        if (routed != null) {
            ServingPools.release(routedKey);
            routed = null;
        }
    }

    /** Builds an {@link AsyncInference}; defaults are the named constants above. */
    public static final class Builder {
        private String model = "seasonal-naive";
        private String device = "cpu";
        private int engineThreads;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private Duration maxBatchDelay = DEFAULT_MAX_BATCH_DELAY;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int capacity = DEFAULT_CAPACITY;
        private int horizon = 16;
        private String modelStoreDir = "";
        private List<ModelRef> preload = List.of();
        private Duration loadRetry = Duration.ofMinutes(5);

        Builder() {}

        /** Where routed versions are loaded from ({@code <dir>/<model>/<version>/}); empty: built-ins only. */
        public Builder setModelStore(String modelStoreDir) {
            this.modelStoreDir = Objects.requireNonNull(modelStoreDir, "modelStoreDir");
            return this;
        }

        /** Versions loaded before the first request (those of the configured rules). */
        public Builder setPreload(List<ModelRef> preload) {
            this.preload = List.copyOf(preload);
            return this;
        }

        /** How long a version that failed to load is skipped before it is tried again. */
        public Builder setLoadRetry(Duration loadRetry) {
            this.loadRetry = Objects.requireNonNull(loadRetry, "loadRetry");
            return this;
        }

        public Builder setModel(String model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        public Builder setDevice(String device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** PyTorch intra-op threads for the JVM; 0 = engine default. */
        public Builder setEngineThreads(int engineThreads) {
            this.engineThreads = engineThreads;
            return this;
        }

        public Builder setMaxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        public Builder setMaxBatchDelay(Duration maxBatchDelay) {
            this.maxBatchDelay = Objects.requireNonNull(maxBatchDelay, "maxBatchDelay");
            return this;
        }

        public Builder setTimeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder setCapacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        public Builder setHorizon(int horizon) {
            this.horizon = horizon;
            return this;
        }

        public AsyncInference build() {
            sanityCheck();
            return new AsyncInference(this);
        }

        private void sanityCheck() {
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize must be positive, got " + maxBatchSize);
            }
            if (engineThreads < 0) {
                throw new IllegalArgumentException("engineThreads must be >= 0 (0 = one per core), got " + engineThreads);
            }
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be positive, got " + capacity);
            }
            if (horizon < 1) {
                throw new IllegalArgumentException("horizon must be positive, got " + horizon);
            }
            if (maxBatchDelay.compareTo(timeout) >= 0) {
                throw new IllegalArgumentException(String.format(
                        "maxBatchDelay (%d ms) must be below timeout (%d ms): a batch would time out before it flushes",
                        maxBatchDelay.toMillis(), timeout.toMillis()));
            }
        }
    }
}
