package io.patchcast.job.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Which model forecasts and how requests are batched. */
public final class InferenceOptions {
    private InferenceOptions() {}

    public static final ConfigOption<String> MODEL =
            ConfigOptions.key("patchcast.model").stringType().defaultValue("default")
                    .withDescription("Default model: 'default' (the shipped model, model-store/default/patchcast-moirai-moe-s under patchcast.home; seasonal-naive when it is missing), 'seasonal-naive' (built in) or a model folder: a Moirai-MoE checkpoint (config.json + model.safetensors; with manifest.json every file is verified by SHA-256, without one it is taken as a released checkpoint). A model that cannot be loaded when the job starts does not stop it: its forecasts fall back and the load is tried again every patchcast.route.load-retry.");

    public static final ConfigOption<String> DEVICE =
            ConfigOptions.key("patchcast.inference.device").stringType().defaultValue("cpu")
                    .withDescription("DJL device for neural models: 'cpu' or 'gpu' (gpu needs a CUDA build of libtorch given to DJL through PYTORCH_LIBRARY_PATH; see README, GPU).");

    public static final ConfigOption<Integer> ENGINE_THREADS =
            ConfigOptions.key("patchcast.inference.engine-threads").intType().defaultValue(0)
                    .withDescription("Threads each model instance computes on (a batch's rows, or one series' MoE experts, side by side); 0 = one per core. libtorch's own intra-op pool is kept at 1 thread on CPU because its spin barriers collapse when cores are shared. Forecasts do not depend on this value.");

    public static final ConfigOption<Integer> MAX_BATCH_SIZE =
            ConfigOptions.key("patchcast.inference.max-batch-size").intType().defaultValue(64)
                    .withDescription("Most series per model call; 64 keeps CPU matmuls efficient without long tails.");

    public static final ConfigOption<Duration> MAX_BATCH_DELAY =
            ConfigOptions.key("patchcast.inference.max-batch-delay").durationType().defaultValue(Duration.ofMillis(20))
                    .withDescription("Longest a request waits for a fuller batch; small next to a metric step.");

    public static final ConfigOption<Duration> TIMEOUT =
            ConfigOptions.key("patchcast.inference.timeout").durationType().defaultValue(Duration.ofSeconds(10))
                    .withDescription("A forecast not back within this time is replaced by the statistical fallback (status TIMEOUT); never a restart. A request still waiting for its batch by then is dropped from the queue, so a model that falls behind computes fresh requests.");

    public static final ConfigOption<Integer> CAPACITY =
            ConfigOptions.key("patchcast.inference.capacity").intType().defaultValue(256)
                    .withDescription("Requests in flight per subtask; beyond it the job back-pressures instead of queueing without bound.");
}
