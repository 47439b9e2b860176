package io.patchcast.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.data.CsvSeries;
import io.patchcast.cli.data.NabInput;
import io.patchcast.cli.demo.PipelineRun;
import io.patchcast.cli.demo.TopicIo;
import io.patchcast.cli.demo.TopicIo.KeyValue;
import io.patchcast.cli.kafka.EmbeddedKafka;
import io.patchcast.job.PatchcastJob;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.job.config.JobOptions;
import io.patchcast.job.config.RouteOptions;
import io.patchcast.job.config.SinkOptions;
import io.patchcast.job.config.SourceOptions;
import io.patchcast.job.inference.BatcherRegistry;
import io.patchcast.job.inference.ServingPools;
import io.patchcast.job.route.ModelControlCodec;
import io.patchcast.schema.AnomalyFlag;
import io.patchcast.schema.ControlAction;
import io.patchcast.schema.DeadLetter;
import io.patchcast.schema.Forecast;
import io.patchcast.schema.ForecastStatus;
import io.patchcast.schema.ModelControl;
import io.patchcast.store.Manifest;
import io.patchcast.store.ModelRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing and a hot swap in the real job (MiniCluster, parallelism 2, checkpoints every 300 ms)
 * against a real KRaft broker: two NAB series are routed by configuration to version 1 of a
 * Moirai-MoE model in a model store, one to a version whose weights fail SHA-256 verification, the
 * rest use the default seasonal-naive. Mid-stream a ROUTE command on the control topic moves the
 * group to version 2. The job runs unbounded and is stopped with a draining savepoint once it has
 * consumed every point; outputs are read with read_committed.
 */
@Tag("slow")
class RoutingITCase {

    static final Path ROOT = Path.of(System.getProperty("patchcast.root", ".."));
    static final Path NAB = ROOT.resolve("data/nab-aws");
    static final Path MOIRAI_FIXTURE = ROOT.resolve("../shared/fixtures/moirai-moe/model").normalize();
    static final long STEP = 300_000;
    static final int PATCH = 16;
    static final String MODEL = "moirai-fixture";
    static final List<String> FILES = List.of("ec2_cpu_utilization_24ae8d.csv", "ec2_cpu_utilization_53ea38.csv",
            "ec2_cpu_utilization_5f5533.csv", "ec2_cpu_utilization_77c1ca.csv");
    static final String GROUP_PATTERN = "nab\\{file=\"ec2_cpu_utilization_(24ae8d|53ea38)\"\\}";
    static final String BROKEN_PATTERN = "nab\\{file=\"ec2_cpu_utilization_5f5533\"\\}";
    static final Duration WAIT = Duration.ofMinutes(4);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    static EmbeddedKafka kafka;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void groupSwapsFromVersion1To2MidStreamOthersStayOnTheirModelEveryPointScoredOnce() throws Exception {
        Path store = tmp.resolve("store");
        addVersion(store, "1");
        addVersion(store, "2");
        Path broken = addVersion(store, "3");
        Files.write(broken.resolve("model.safetensors"), new byte[] {0}, StandardOpenOption.APPEND);

        String controlTopic = "route.model-control";
        Configuration conf = routingConf(kafka, "route", controlTopic, store, MODEL + "/1=" + GROUP_PATTERN);

        List<NabInput.SeriesFile> files = new ArrayList<>();
        for (NabInput.SeriesFile f : NabInput.read(NAB)) {
            if (FILES.contains(f.relative())) {
                files.add(f);
            }
        }
        assertThat(files).hasSize(FILES.size());
        Set<String> group = files.stream().map(NabInput.SeriesFile::seriesKey)
                .filter(k -> k.matches(GROUP_PATTERN)).collect(Collectors.toSet());
        String brokenKey = files.stream().map(NabInput.SeriesFile::seriesKey)
                .filter(k -> k.matches(BROKEN_PATTERN)).findFirst().orElseThrow();
        assertThat(group).hasSize(2);

        // before the job starts: three bad commands and a ROUTE to the version that fails to load
        String metrics = conf.get(SourceOptions.METRICS_TOPIC);
        TopicIo.produce(kafka.bootstrapServers(), controlTopic, List.of(
                new KeyValue(null, "not avro".getBytes(StandardCharsets.UTF_8)),
                control(ControlAction.ROUTE, "nab(", "2", 1),
                control(ControlAction.ROUTE, ".*", "9", 2),
                control(ControlAction.ROUTE, BROKEN_PATTERN, "3", 3)));
        int first = 1344; // 84 patches served by version 1
        TopicIo.produce(kafka.bootstrapServers(), metrics, NabInput.records(slice(files, 0, first)));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        PatchcastJob.build(env, conf, s -> s);
        JobClient job = env.executeAsync("patchcast-routing");
        try {
            awaitForecasts(conf, "three version-1 forecasts per group series", fs -> group.stream().allMatch(k ->
                    fs.stream().filter(f -> f.getSeriesKey().equals(k) && f.getModelVersion().equals("1")).count() >= 3));

            TopicIo.produce(kafka.bootstrapServers(), controlTopic,
                    List.of(control(ControlAction.ROUTE, GROUP_PATTERN, "2", System.currentTimeMillis())));
            int at = produceUntilServed(kafka, conf, files, first, group, "2");
            List<NabInput.SeriesFile> rest = slice(files, at, Integer.MAX_VALUE);
            TopicIo.produce(kafka.bootstrapServers(), metrics, NabInput.records(rest));
            awaitConsumed(conf, "it-route");
        } finally {
            // drain: the end of event time flushes every series' last patch, as at the end of bounded input
            job.stopWithSavepoint(true, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get();
        }

        PipelineRun.Outputs o = PipelineRun.readOutputs(kafka.bootstrapServers(), conf);
        assertExactCounts(files, o);

        Map<String, List<Forecast>> bySeries = o.forecasts().stream()
                .sorted(Comparator.comparing(Forecast::getStart))
                .collect(Collectors.groupingBy(Forecast::getSeriesKey, TreeMap::new, Collectors.toList()));
        for (String k : group) {
            List<String> versions = bySeries.get(k).stream().map(f -> f.getModel() + "@" + f.getModelVersion()).toList();
            int firstNew = versions.indexOf(MODEL + "@2");
            assertThat(firstNew).as("%s served by version 2 after the swap", k).isPositive();
            assertThat(versions.subList(0, firstNew)).as("%s before the swap", k).allMatch((MODEL + "@1")::equals);
            assertThat(versions.subList(firstNew, versions.size())).as("%s after the swap: never back", k)
                    .allMatch((MODEL + "@2")::equals);
        }
        for (Map.Entry<String, List<Forecast>> e : bySeries.entrySet()) {
            if (!group.contains(e.getKey())) {
                // including the series routed to the version whose SHA-256 check fails: it keeps the default
                assertThat(e.getValue()).as(e.getKey()).allMatch(f -> f.getModel().equals("seasonal-naive")
                        && f.getModelVersion().equals("1"));
            }
        }
        assertThat(bySeries).containsKey(brokenKey);
        // every scored point names the model of the forecast that scored it
        Map<String, String> forecastModel = new HashMap<>();
        for (Forecast f : o.forecasts()) {
            for (int h = 0; h < PATCH; h++) {
                forecastModel.put(f.getSeriesKey() + "@" + (f.getStart().toEpochMilli() + h * STEP),
                        f.getModel() + "@" + f.getModelVersion());
            }
        }
        for (AnomalyFlag a : o.anomalies()) {
            if (!a.getWarmup()) {
                assertThat(a.getModel() + "@" + a.getModelVersion()).as("model of %s @ %s", a.getSeriesKey(), a.getTimestamp())
                        .isEqualTo(forecastModel.get(a.getSeriesKey() + "@" + a.getTimestamp().toEpochMilli()));
            }
        }
        Map<String, Long> reasons = o.deadLetters().stream().filter(d -> d.getTopic().equals(controlTopic))
                .collect(Collectors.groupingBy(DeadLetter::getReason, TreeMap::new, Collectors.counting()));
        assertThat(reasons).isEqualTo(Map.of("UNDECODABLE", 1L, "BAD_CONTROL", 1L, "UNKNOWN_MODEL", 1L));
        assertThat(BatcherRegistry.active()).as("micro-batchers closed with the job").isZero();
        assertThat(ServingPools.active()).as("routed model pools closed with the job").isZero();
    }

    /**
     * The job's options for a routing test: topics named {@code <prefix>.<default>} (created, with a
     * one-partition control topic), the model store, the configured rules, unbounded from the
     * earliest offsets, checkpoints every 300 ms, one engine thread.
     */
    static Configuration routingConf(EmbeddedKafka kafka, String prefix, String controlTopic, Path store,
            String rules) throws Exception {
        Configuration conf = new Configuration();
        for (var o : List.of(SourceOptions.METRICS_TOPIC, SinkOptions.FORECASTS_TOPIC, SinkOptions.ANOMALIES_TOPIC,
                SinkOptions.ALERTS_TOPIC, SinkOptions.DEAD_LETTER_TOPIC)) {
            conf.set(o, prefix + "." + o.defaultValue());
        }
        conf.set(RouteOptions.CONTROL_TOPIC, controlTopic);
        conf.set(RouteOptions.MODEL_STORE_DIR, store.toString());
        conf.set(RouteOptions.RULES, rules);
        conf.set(InferenceOptions.ENGINE_THREADS, 1);
        conf.set(SinkOptions.TRANSACTIONAL_ID_PREFIX, "it-" + prefix);
        conf.set(SourceOptions.GROUP_ID, "it-" + prefix);
        conf.set(SourceOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(SourceOptions.STARTING_OFFSETS, "earliest");
        conf.set(SourceOptions.BOUNDED, false);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(300));
        PipelineRun.createTopics(kafka, conf);
        kafka.createTopic(controlTopic, 1);
        return conf;
    }

    /**
     * Produces the files' rows from {@code from} on in chunks of 10 patches, each awaited until
     * forecast, until {@code version} has served every series of {@code keys}; returns the first
     * row not produced.
     */
    static int produceUntilServed(EmbeddedKafka kafka, Configuration conf, List<NabInput.SeriesFile> files, int from,
            java.util.Collection<String> keys, String version) throws Exception {
        String metrics = conf.get(SourceOptions.METRICS_TOPIC);
        int at = from;
        int length = files.stream().mapToInt(f -> f.csv().size()).min().orElseThrow();
        while (at < length) {
            int end = Math.min(at + 160, length);
            TopicIo.produce(kafka.bootstrapServers(), metrics, NabInput.records(slice(files, at, end)));
            at = end;
            long chunkEnd = files.get(0).csv().timestamps()[end - 1];
            List<Forecast> fs = awaitForecasts(kafka, conf, "the chunk forecast", f -> keys.stream().allMatch(k ->
                    f.stream().anyMatch(x -> x.getSeriesKey().equals(k)
                            && x.getStart().toEpochMilli() >= chunkEnd - 2 * PATCH * STEP)));
            if (keys.stream().allMatch(k -> fs.stream().anyMatch(x -> x.getSeriesKey().equals(k)
                    && x.getModelVersion().equals(version)))) {
                break;
            }
        }
        return at;
    }

    static Path addVersion(Path store, String version) throws Exception {
        Path dir = Files.createDirectories(store.resolve(MODEL).resolve(version));
        Files.copy(MOIRAI_FIXTURE.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(MOIRAI_FIXTURE.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Manifest.of(dir, MODEL, version, ModelRegistry.MOIRAI_MOE, Map.of("source", "moirai-moe fixture"),
                "config.json", "model.safetensors").write(dir);
        return dir;
    }

    static KeyValue control(ControlAction action, String pattern, String version, long issuedAt) {
        return new KeyValue(null, ModelControlCodec.encode(ModelControl.newBuilder().setAction(action)
                .setSeriesPattern(pattern).setModel(MODEL).setVersion(version)
                .setIssuedAt(Instant.ofEpochMilli(issuedAt)).build()));
    }

    /** Rows [from, to) of every file. */
    static List<NabInput.SeriesFile> slice(List<NabInput.SeriesFile> files, int from, int to) {
        List<NabInput.SeriesFile> out = new ArrayList<>();
        for (NabInput.SeriesFile f : files) {
            CsvSeries c = f.csv();
            int a = Math.min(from, c.size());
            int b = Math.min(to, c.size());
            out.add(new NabInput.SeriesFile(f.relative(), f.seriesKey(), new CsvSeries(c.file(),
                    c.rawTimestamps().subList(a, b), Arrays.copyOfRange(c.timestamps(), a, b),
                    Arrays.copyOfRange(c.values(), a, b))));
        }
        return out;
    }

    /** Polls the committed forecasts until {@code done} holds. */
    static List<Forecast> awaitForecasts(Configuration conf, String what, Predicate<List<Forecast>> done)
            throws InterruptedException {
        return awaitForecasts(kafka, conf, what, done);
    }

    static List<Forecast> awaitForecasts(EmbeddedKafka kafka, Configuration conf, String what,
            Predicate<List<Forecast>> done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<Forecast> fs = PipelineRun.readOutputs(kafka.bootstrapServers(), conf).forecasts();
            if (done.test(fs)) {
                return fs;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT + " for " + what + "; got " + fs.size() + " forecasts");
            }
            Thread.sleep(500); // poll interval
        }
    }

    /** Polls until the job's consumer group committed the end offsets of the metrics topic (on a checkpoint). */
    static void awaitConsumed(Configuration conf, String groupId) throws Exception {
        awaitConsumed(kafka, conf, groupId);
    }

    static void awaitConsumed(EmbeddedKafka kafka, Configuration conf, String groupId) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        String topic = conf.get(SourceOptions.METRICS_TOPIC);
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (int i = 0; i < PipelineRun.INPUT_PARTITIONS; i++) {
                specs.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = admin.listOffsets(specs).all().get();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
                boolean all = end.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                        || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue().offset()));
                if (all) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("metrics not consumed within " + WAIT + ": end " + end + ", committed " + committed);
                }
                Thread.sleep(500); // poll interval
            }
        }
    }

    /** As in PipelineITCase: every point scored once, every patch forecast once, nothing else. */
    static void assertExactCounts(List<NabInput.SeriesFile> files, PipelineRun.Outputs o) {
        ExpectedCounts expected = ExpectedCounts.of(files, STEP, PATCH);
        Map<String, Long> anomalyKeys = o.anomalies().stream().collect(Collectors.groupingBy(
                a -> a.getSeriesKey() + "@" + a.getTimestamp().toEpochMilli(), Collectors.counting()));
        assertThat(anomalyKeys.values()).as("no anomaly record twice").allMatch(c -> c == 1);
        Set<String> missing = new HashSet<>(expected.anomalyKeys);
        missing.removeAll(anomalyKeys.keySet());
        assertThat(missing).as("points without an anomaly record").isEmpty();
        assertThat(o.anomalies()).hasSize(expected.anomalyKeys.size());

        Map<String, Long> forecastKeys = o.forecasts().stream().collect(Collectors.groupingBy(
                f -> f.getSeriesKey() + "@" + f.getStart().toEpochMilli(), Collectors.counting()));
        assertThat(forecastKeys.values()).as("no forecast twice").allMatch(c -> c == 1);
        Map<String, Long> perSeries = o.forecasts().stream()
                .collect(Collectors.groupingBy(Forecast::getSeriesKey, TreeMap::new, Collectors.counting()));
        Map<String, Long> expectedPerSeries = new TreeMap<>();
        expected.forecastsPerSeries.forEach((k, v) -> expectedPerSeries.put(k, (long) v));
        assertThat(perSeries).isEqualTo(expectedPerSeries);
        assertThat(o.forecasts()).allMatch(f -> f.getStatus() == ForecastStatus.OK && f.getMean().size() == PATCH);
        long metricDeadLetters = o.deadLetters().stream().filter(d -> !d.getTopic().endsWith("model-control")).count();
        assertThat(metricDeadLetters).as("dead letters of metric points (duplicates)").isEqualTo(expected.duplicates);
    }
}
