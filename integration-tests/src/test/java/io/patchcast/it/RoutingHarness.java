package io.patchcast.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.data.CsvSeries;
import io.patchcast.cli.data.NabInput;
import io.patchcast.cli.demo.PipelineRun;
import io.patchcast.cli.demo.TopicIo;
import io.patchcast.cli.kafka.EmbeddedKafka;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.job.config.JobOptions;
import io.patchcast.job.config.RouteOptions;
import io.patchcast.job.config.SinkOptions;
import io.patchcast.job.config.SourceOptions;
import io.patchcast.schema.Forecast;
import io.patchcast.schema.ForecastStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What the routing tests ({@link RoutingITCase}, {@link CalfRoutingITCase}) share: the job's options
 * against the test broker, feeding the metrics topic in slices, waiting on committed outputs, and the
 * assertions on exact counts and on a version swap.
 */
final class RoutingHarness {

    static final long STEP = 300_000;
    static final int PATCH = 16;
    static final Duration WAIT = Duration.ofMinutes(4);

    private RoutingHarness() {}

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

    /** Starts the job on the test's MiniCluster, unbounded, at {@code parallelism}. */
    static org.apache.flink.core.execution.JobClient start(Configuration conf, int parallelism, String name)
            throws Exception {
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        io.patchcast.job.PatchcastJob.build(env, conf, s -> s);
        return env.executeAsync(name);
    }

    /**
     * Produces the files' rows from {@code from} on in chunks of 10 patches, each awaited until
     * forecast, until {@code version} has served every series of {@code keys}; returns the first
     * row not produced.
     */
    static int produceUntilServed(EmbeddedKafka kafka, Configuration conf, List<NabInput.SeriesFile> files, int from,
            Collection<String> keys, String version) throws Exception {
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

    /** Each series' forecasts in time order. */
    static Map<String, List<Forecast>> bySeries(List<Forecast> forecasts) {
        return forecasts.stream().sorted(Comparator.comparing(Forecast::getStart))
                .collect(Collectors.groupingBy(Forecast::getSeriesKey, TreeMap::new, Collectors.toList()));
    }

    /**
     * Each of {@code keys} was served by {@code model} version {@code from} until, at one patch, it
     * switched to version {@code to} for good: no patch before the swap on the new version, none after
     * it back on the old one.
     */
    static void assertSwappedOnce(Map<String, List<Forecast>> bySeries, Collection<String> keys, String model,
            String from, String to) {
        for (String k : keys) {
            List<String> versions = bySeries.get(k).stream()
                    .map(f -> f.getModel() + "@" + f.getModelVersion()).toList();
            int firstNew = versions.indexOf(model + "@" + to);
            assertThat(firstNew).as("%s served by version %s after the swap", k, to).isPositive();
            assertThat(versions.subList(0, firstNew)).as("%s before the swap", k)
                    .allMatch((model + "@" + from)::equals);
            assertThat(versions.subList(firstNew, versions.size())).as("%s after the swap: never back", k)
                    .allMatch((model + "@" + to)::equals);
        }
    }
}
