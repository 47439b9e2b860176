package io.patchcast.job;

import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.alert.AlertPolicy;
import io.patchcast.job.config.AnomalyOptions;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.job.config.JobOptions;
import io.patchcast.job.config.PatchOptions;
import io.patchcast.job.config.RouteOptions;
import io.patchcast.job.config.SinkOptions;
import io.patchcast.job.config.SourceOptions;
import io.patchcast.job.inference.AsyncInference;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.inference.InferenceTask;
import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.job.patch.PatchAssemblerFunction;
import io.patchcast.job.patch.PatchConfig;
import io.patchcast.job.patch.PatchPoint;
import io.patchcast.job.route.ConfiguredRouter;
import io.patchcast.job.route.ControlDecoder;
import io.patchcast.job.route.GroupAssembler;
import io.patchcast.job.route.RoutedRequest;
import io.patchcast.job.route.Router;
import io.patchcast.job.score.ScoreConfig;
import io.patchcast.job.score.ScoreFunction;
import io.patchcast.job.score.ScoredPoint;
import io.patchcast.job.sink.OutputSerializer;
import io.patchcast.job.source.DeadLetterRecord;
import io.patchcast.job.source.Point;
import io.patchcast.job.source.PointDecoder;
import io.patchcast.job.source.RawRecord;
import io.patchcast.job.source.RawRecordDeserializer;
import io.patchcast.store.ModelRef;
import io.patchcast.store.ModelStore;
import io.patchcast.store.RouteRule;
import io.patchcast.store.RouteRules;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The patchcast streaming job: metric points from Kafka to forecasts, anomaly flags, alerts and
 * dead letters on Kafka (see DESIGN.md for the data flow).
 */
public final class PatchcastJob {

    private static final Logger LOG = LoggerFactory.getLogger(PatchcastJob.class);

    private PatchcastJob() {}

    /** Entry point on a Flink cluster: {@code --patchcast.kafka.bootstrap-servers host:9092 ...}. */
    public static void main(String[] args) throws Exception {
        Configuration conf = Configuration.fromMap(parseArgs(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        build(env, conf, UnaryOperator.identity());
        env.execute(conf.get(JobOptions.JOB_NAME));
    }

    /** {@code --key value} pairs (and {@code --key=value}) to a map of option keys. */
    public static Map<String, String> parseArgs(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got '" + a + "'");
            }
            int eq = a.indexOf('=');
            if (eq > 0) {
                m.put(a.substring(2, eq), a.substring(eq + 1));
            } else if (i + 1 < args.length) {
                m.put(a.substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("option " + a + " has no value");
            }
        }
        return m;
    }

    public static PatchConfig patchConfig(Configuration conf) {
        return new PatchConfig(PatchOptions.PATCH_SIZE, conf.get(PatchOptions.CONTEXT_LENGTH),
                conf.get(PatchOptions.STEP), conf.get(PatchOptions.STEP_INFERENCE_POINTS),
                conf.get(PatchOptions.ALLOWED_LATENESS), conf.get(PatchOptions.MAX_GAP_STEPS));
    }

    public static ScoreConfig scoreConfig(Configuration conf) {
        return new ScoreConfig(conf.get(AnomalyOptions.METHOD), conf.get(AnomalyOptions.LEVEL), conf.get(AnomalyOptions.THRESHOLD),
                conf.get(AnomalyOptions.SHORT_WINDOW), conf.get(AnomalyOptions.HISTORY), conf.get(AnomalyOptions.SURPRISE_POWER),
                conf.get(AnomalyOptions.SEASONAL_TOLERANCE), conf.get(AnomalyOptions.RANGE_TOLERANCE),
                conf.get(AnomalyOptions.LEVEL_WINDOW), conf.get(AnomalyOptions.LEVEL_TOLERANCE),
                conf.get(AnomalyOptions.SHAPE_WINDOW), conf.get(AnomalyOptions.SHAPE_TOLERANCE),
                conf.get(AnomalyOptions.QUIET_WINDOW), conf.get(AnomalyOptions.QUIET_TOLERANCE),
                conf.get(AnomalyOptions.NOVELTY_HOLD));
    }

    public static AlertPolicy alertPolicy(Configuration conf) {
        return new AlertPolicy(conf.get(AnomalyOptions.ALERT_K), conf.get(AnomalyOptions.ALERT_N),
                conf.get(AnomalyOptions.ALERT_RECOVER_AFTER), conf.get(AnomalyOptions.ALERT_COOLDOWN));
    }

    /**
     * The configured routing rules, checked at job build time so a typo fails the submission: the
     * syntax, and for versions already in the model store, that a multichannel model's rule names the
     * channels it was trained on.
     */
    public static List<RouteRule> routeRules(Configuration conf) {
        List<RouteRule> rules = RouteRules.parse(conf.get(RouteOptions.RULES));
        ModelStore store = ModelStore.of(conf.get(RouteOptions.MODEL_STORE_DIR));
        for (RouteRule r : rules) {
            if (!r.isTombstone()) {
                try {
                    store.checkChannels(r.target(), r.channels());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(RouteOptions.RULES.key() + ": rule " + r + ": " + e.getMessage(), e);
                }
            }
        }
        return rules;
    }

    public static AsyncInference asyncInference(Configuration conf) {
        List<ModelRef> preload = routeRules(conf).stream().map(RouteRule::target).distinct().toList();
        return AsyncInference.builder()
                .setModelStore(conf.get(RouteOptions.MODEL_STORE_DIR))
                .setPreload(preload)
                .setLoadRetry(conf.get(RouteOptions.LOAD_RETRY))
                .setModel(conf.get(InferenceOptions.MODEL))
                .setDevice(conf.get(InferenceOptions.DEVICE))
                .setEngineThreads(conf.get(InferenceOptions.ENGINE_THREADS))
                .setMaxBatchSize(conf.get(InferenceOptions.MAX_BATCH_SIZE))
                .setMaxBatchDelay(conf.get(InferenceOptions.MAX_BATCH_DELAY))
                .setTimeout(conf.get(InferenceOptions.TIMEOUT))
                .setCapacity(conf.get(InferenceOptions.CAPACITY))
                .setHorizon(PatchOptions.PATCH_SIZE)
                .build();
    }

    /**
     * Adds the job to {@code env}.
     *
     * @param afterDecode applied to the decoded points before keying (tests inject failures here)
     */
    public static void build(StreamExecutionEnvironment env, Configuration conf,
            UnaryOperator<DataStream<Point>> afterDecode) {
        String bootstrap = conf.getOptional(SourceOptions.BOOTSTRAP_SERVERS).orElseThrow(() ->
                new IllegalArgumentException(SourceOptions.BOOTSTRAP_SERVERS.key() + " is required"));
        if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            env.enableCheckpointing(conf.get(JobOptions.CHECKPOINT_INTERVAL).toMillis());
        }
        PatchConfig patch = patchConfig(conf);
        AlertPolicy policy = alertPolicy(conf);
        AsyncInference inference = asyncInference(conf);
        ScoreConfig score = scoreConfig(conf);
        Duration ttl = conf.get(PatchOptions.STATE_TTL);
        LOG.info("patchcast job: {} {} {} {} model={} input={}", patch, policy,
                conf.get(SinkOptions.DELIVERY_GUARANTEE), score, conf.get(InferenceOptions.MODEL),
                conf.get(SourceOptions.METRICS_TOPIC));

        SingleOutputStreamOperator<Point> decoded = metricsInput(env, conf, bootstrap)
                .process(new PointDecoder(conf.get(SourceOptions.MAX_FUTURE).toMillis()))
                .uid("decode").name("decode");
        DataStream<Point> points = afterDecode.apply(decoded);

        SingleOutputStreamOperator<InferenceRequest> requests = points
                .keyBy(Point::seriesKey)
                .process(new PatchAssemblerFunction(patch, ttl))
                .uid("patch-assembler").name("patch-assembler");
        DataStream<PatchPoint> patchPoints = requests.getSideOutput(Tags.PATCH_POINTS);

        String controlTopic = conf.get(RouteOptions.CONTROL_TOPIC);
        SingleOutputStreamOperator<RouteRule> control = null;
        SingleOutputStreamOperator<InferenceTask> routed;
        if (controlTopic.isBlank()) {
            routed = requests.process(new ConfiguredRouter(routeRules(conf))).uid("router-configured").name("router");
        } else {
            // commands in one order on every subtask: one reader, one decoder, then broadcast
            control = env.fromSource(controlSource(conf, bootstrap, controlTopic), new NoEventTime<>(), "model-control")
                    .uid("kafka-model-control").setParallelism(1)
                    .process(new ControlDecoder(conf.get(RouteOptions.MODEL_STORE_DIR)))
                    .uid("control-decode").name("control-decode").setParallelism(1);
            routed = requests
                    .connect(control.broadcast(Router.RULES))
                    .process(new Router(routeRules(conf)))
                    .uid("router").name("router");
        }

        // a multichannel model's channels meet per patch before they are forecast together
        DataStream<InferenceTask> groups = routed.getSideOutput(Tags.GROUP_MEMBERS)
                .keyBy(RoutedRequest::groupKey)
                .process(new GroupAssembler(conf.get(RouteOptions.GROUP_WAIT)))
                .uid("group-assembler").name("group-assembler");
        SingleOutputStreamOperator<ForecastResult> forecasts = AsyncDataStream
                .unorderedWait(routed.union(groups), inference, inference.timeout().toMillis(), TimeUnit.MILLISECONDS,
                        inference.capacity())
                .uid("inference").name("inference");

        SingleOutputStreamOperator<ScoredPoint> scored = patchPoints.keyBy(PatchPoint::seriesKey)
                .connect(forecasts.keyBy(ForecastResult::seriesKey))
                .process(new ScoreFunction(score, policy, patch.allowedLateness(), ttl))
                .uid("scorer").name("scorer");
        DataStream<AlertEvent> alerts = scored.getSideOutput(Tags.ALERTS);
        DataStream<DeadLetterRecord> deadLetters = decoded.getSideOutput(Tags.DEAD_LETTERS)
                .union(requests.getSideOutput(Tags.DEAD_LETTERS));
        if (control != null) {
            deadLetters = deadLetters.union(control.getSideOutput(Tags.DEAD_LETTERS));
        }

        forecasts.sinkTo(sink(conf, bootstrap, "forecasts",
                OutputSerializer.forecasts(conf.get(SinkOptions.FORECASTS_TOPIC)))).uid("sink-forecasts").name("forecasts");
        scored.sinkTo(sink(conf, bootstrap, "anomalies",
                OutputSerializer.anomalies(conf.get(SinkOptions.ANOMALIES_TOPIC)))).uid("sink-anomalies").name("anomalies");
        alerts.sinkTo(sink(conf, bootstrap, "alerts",
                OutputSerializer.alerts(conf.get(SinkOptions.ALERTS_TOPIC)))).uid("sink-alerts").name("alerts");
        deadLetters.sinkTo(sink(conf, bootstrap, "dlq",
                OutputSerializer.deadLetters(conf.get(SinkOptions.DEAD_LETTER_TOPIC)))).uid("sink-dlq").name("dead-letters");
    }

    /**
     * The metrics topic as the job reads it, undecoded, with its event-time watermarks made in the
     * source: one per Kafka partition ({@link RawRecordDeserializer} reads each record's event time),
     * the slowest partition's emitted, so a partition catching up behind the others holds it back.
     */
    public static DataStream<RawRecord> metricsInput(StreamExecutionEnvironment env, Configuration conf,
            String bootstrap) {
        return env.fromSource(source(conf, bootstrap), WatermarkStrategy
                        .<RawRecord>forBoundedOutOfOrderness(conf.get(SourceOptions.OUT_OF_ORDERNESS))
                        .withTimestampAssigner((r, t) -> r.eventTime())
                        .withIdleness(conf.get(SourceOptions.IDLENESS)),
                "metrics").uid("kafka-metrics");
    }

    private static KafkaSource<RawRecord> source(Configuration conf, String bootstrap) {
        String start = conf.get(SourceOptions.STARTING_OFFSETS);
        OffsetsInitializer init = switch (start) {
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            default -> throw new IllegalArgumentException(SourceOptions.STARTING_OFFSETS.key()
                    + " must be committed, earliest or latest, got '" + start + "'");
        };
        var b = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(conf.get(SourceOptions.METRICS_TOPIC))
                .setGroupId(conf.get(SourceOptions.GROUP_ID))
                .setStartingOffsets(init)
                .setDeserializer(RawRecordDeserializer.metricPoints(conf.get(SourceOptions.MAX_FUTURE).toMillis()))
                .setProperty("isolation.level", "read_committed");
        if (conf.get(SourceOptions.BOUNDED)) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /**
     * The control topic from its start, always unbounded-from-the-start: the rules are rebuilt from
     * every command whenever the job starts without state. In a bounded run it stops where it
     * stood when the job started, like the metrics.
     */
    private static KafkaSource<RawRecord> controlSource(Configuration conf, String bootstrap, String topic) {
        var b = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic)
                .setGroupId(conf.get(SourceOptions.GROUP_ID) + "-control")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(RawRecordDeserializer.untimed())
                .setProperty("isolation.level", "read_committed");
        if (conf.get(SourceOptions.BOUNDED)) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /**
     * Commands carry no event time: the control input marks itself idle, so the routing operator's
     * watermark is the metrics' own. (A watermark at the end of time would take over whenever the
     * metrics input goes idle, and a watermark never goes back: every group would then be forecast
     * channel by channel from then on.)
     */
    static final class NoEventTime<T> implements WatermarkStrategy<T> {
        @Override
        public WatermarkGenerator<T> createWatermarkGenerator(
                org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier.Context ctx) {
            return new WatermarkGenerator<>() {
                @Override
                public void onEvent(T event, long eventTimestamp, WatermarkOutput out) {}

                @Override
                public void onPeriodicEmit(WatermarkOutput out) {
                    out.markIdle();
                }
            };
        }
    }

    private static <T> KafkaSink<T> sink(Configuration conf, String bootstrap, String name,
            KafkaRecordSerializationSchema<T> serializer) {
        String g = conf.get(SinkOptions.DELIVERY_GUARANTEE);
        DeliveryGuarantee guarantee = switch (g) {
            case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
            default -> throw new IllegalArgumentException(SinkOptions.DELIVERY_GUARANTEE.key()
                    + " must be exactly-once or at-least-once, got '" + g + "'");
        };
        Properties props = new Properties();
        props.setProperty("transaction.timeout.ms",
                String.valueOf(conf.get(SinkOptions.TRANSACTION_TIMEOUT).toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(conf.get(SinkOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name)
                .setKafkaProducerConfig(props)
                .build();
    }
}
