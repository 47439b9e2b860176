package io.patchcast.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.data.NabInput;
import io.patchcast.cli.demo.BadInputCorpus;
import io.patchcast.cli.demo.PipelineRun;
import io.patchcast.cli.demo.TopicIo;
import io.patchcast.cli.demo.TopicIo.KeyValue;
import io.patchcast.cli.kafka.EmbeddedKafka;
import io.patchcast.job.PatchcastJob;
import io.patchcast.job.alert.AlertTracker;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.job.config.JobOptions;
import io.patchcast.job.config.SinkOptions;
import io.patchcast.job.config.SourceOptions;
import io.patchcast.job.inference.BatcherRegistry;
import io.patchcast.job.offline.OfflineRun;
import io.patchcast.job.patch.PatchAssembler;
import io.patchcast.job.source.Point;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.fallback.SeasonalNaiveForecaster;
import io.patchcast.store.ModelRegistry;
import io.patchcast.schema.AnomalyFlag;
import io.patchcast.schema.DeadLetter;
import io.patchcast.schema.Forecast;
import io.patchcast.schema.ForecastStatus;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real job on a Flink MiniCluster (parallelism 2, checkpointing on) against a real KRaft broker:
 * the 17 NAB series plus a bad-input corpus in, exact counts out, read with read_committed, also
 * across a failure and restart from a checkpoint.
 */
@Tag("slow")
class PipelineITCase {

    static final Path NAB = Path.of(System.getProperty("patchcast.root", "..")).resolve("data/nab-aws");
    static final long STEP = 300_000;
    static final Path MOIRAI_FIXTURE = Path.of(System.getProperty("patchcast.fixtures",
            Path.of(System.getProperty("patchcast.root", "..")).resolve("../shared/fixtures/moirai-moe").toString()))
            .resolve("model").normalize();
    static final int PROMETHEUS_PORT = freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .setConfiguration(clusterConfig())
                    .build());

    static EmbeddedKafka kafka;
    static List<NabInput.SeriesFile> files;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
        files = NabInput.read(NAB);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    static Configuration clusterConfig() {
        Configuration c = new Configuration();
        c.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.setString("metrics.reporter.prom.port", String.valueOf(PROMETHEUS_PORT));
        return c;
    }

    @Test
    void everyPointScoredOnceEveryPatchForecastOnceEveryBadRecordDeadLettered() throws Exception {
        Run run = run("plain", null, new Configuration());
        assertExactCounts(run);
        // the anomalies topic carries the same scores as the offline `score` path (one implementation)
        for (NabInput.SeriesFile f : files.subList(0, 3)) {
            assertSameAsOffline(f, run.outputs().anomalies(), new SeasonalNaiveForecaster());
        }
        assertThat(run.metrics()).contains("patchcast_scoredPoints", "patchcast_flaggedPoints",
                "patchcast_intervalCoverage", "patchcast_flagRate", "patchcast_batchSize",
                "patchcast_inferenceLatencyMs", "patchcast_queueWaitMs", "patchcast_timeouts",
                "patchcast_deadLetters", "patchcast_queuedRequests", "patchcast_model_version_forecasts",
                "patchcast_model_version_forecastsPerSecond");
        assertThat(BatcherRegistry.active()).as("micro-batchers closed with the job").isZero();
    }

    @Test
    void exactlyOnceAcrossFailureAndRestartFromCheckpoint() throws Exception {
        FailOnce.FAILED.set(false);
        Run run = run("failover", new FailOnce(15_000), new Configuration());
        assertThat(FailOnce.FAILED).as("the injected failure happened").isTrue();
        assertExactCounts(run);
        // the failure hit open transactions: their records are in the log but aborted, so a
        // read_uncommitted consumer sees more than the read_committed one
        List<String> uncommitted = TopicIo.readAll(kafka.bootstrapServers(), run.conf().get(SinkOptions.ANOMALIES_TOPIC),
                r -> new String(r.key()), Duration.ofMinutes(1), false);
        assertThat(uncommitted.size()).isGreaterThan(run.outputs().anomalies().size());
    }

    @Test
    void moiraiMoeCheckpointServesTheJobEndToEnd() throws Exception {
        // the fixture checkpoint is a valid Moirai-MoE checkpoint in the released layout (random weights)
        Configuration model = new Configuration();
        model.set(InferenceOptions.MODEL, MOIRAI_FIXTURE.toString());
        model.set(InferenceOptions.ENGINE_THREADS, 1);
        Run run = run("moirai", null, model);
        assertExactCounts(run);
        assertThat(run.outputs().forecasts()).allMatch(f -> f.getModel().equals("model")
                && f.getModelVersion().startsWith("sha256-"));
        assertThat(run.outputs().anomalies()).filteredOn(a -> !a.getWarmup())
                .allMatch(a -> a.getModel().equals("model"));
        // batching in the job does not change a series' forecast: same scores as one series alone offline
        try (Forecaster offline = ModelRegistry.open(MOIRAI_FIXTURE.toString(), "cpu", 1)) {
            for (NabInput.SeriesFile f : files.subList(0, 2)) {
                assertSameAsOffline(f, run.outputs().anomalies(), offline);
            }
        }
    }

    record Run(Configuration conf, BadInputCorpus bad, PipelineRun.Outputs outputs, String metrics) {}

    private Run run(String name, FailOnce failure, Configuration extra) throws Exception {
        Configuration conf = new Configuration(extra);
        for (var o : List.of(SourceOptions.METRICS_TOPIC, SinkOptions.FORECASTS_TOPIC, SinkOptions.ANOMALIES_TOPIC,
                SinkOptions.ALERTS_TOPIC, SinkOptions.DEAD_LETTER_TOPIC)) {
            conf.set(o, name + "." + o.defaultValue());
        }
        conf.set(SinkOptions.TRANSACTIONAL_ID_PREFIX, "it-" + name);
        conf.set(SourceOptions.GROUP_ID, "it-" + name);
        conf.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(300));
        conf = PipelineRun.boundedRun(conf, kafka.bootstrapServers());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        PipelineRun.createTopics(kafka, conf);

        BadInputCorpus bad = BadInputCorpus.create(files.get(0).csv().timestamps()[0], System.currentTimeMillis());
        List<KeyValue> records = new ArrayList<>(NabInput.records(files));
        records.addAll(bad.records());
        TopicIo.produce(kafka.bootstrapServers(), conf.get(SourceOptions.METRICS_TOPIC), records);

        AtomicReference<String> metrics = new AtomicReference<>("");
        AtomicBoolean scraping = new AtomicBoolean(true);
        Thread scraper = new Thread(() -> scrape(metrics, scraping), "prometheus-scraper");
        scraper.start();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        try {
            PipelineRun.runJob(env, conf, failure == null ? s -> s : s -> s.map(failure).name("fail-once"));
        } finally {
            scraping.set(false);
            scraper.join();
        }
        return new Run(conf, bad, PipelineRun.readOutputs(kafka.bootstrapServers(), conf), metrics.get());
    }

    private void assertExactCounts(Run run) {
        ExpectedCounts expected = ExpectedCounts.of(files, STEP, 16);
        PipelineRun.Outputs o = run.outputs();

        Map<String, Long> anomalyKeys = o.anomalies().stream().collect(Collectors.groupingBy(
                a -> a.getSeriesKey() + "@" + a.getTimestamp().toEpochMilli(), Collectors.counting()));
        assertThat(anomalyKeys.values()).as("no anomaly record twice").allMatch(c -> c == 1);
        Set<String> missing = new HashSet<>(expected.anomalyKeys);
        missing.removeAll(anomalyKeys.keySet()); // a set difference: AssertJ's containsAll is quadratic here
        assertThat(missing).as("points without an anomaly record: %s", summarize(missing)).isEmpty();
        assertThat(o.anomalies().size()).as("anomaly records").isEqualTo(expected.anomalyKeys.size() + run.bad().goodPoints());

        Map<String, Long> forecastKeys = o.forecasts().stream().collect(Collectors.groupingBy(
                f -> f.getSeriesKey() + "@" + f.getStart().toEpochMilli(), Collectors.counting()));
        assertThat(forecastKeys.values()).as("no forecast twice").allMatch(c -> c == 1);
        assertThat(o.forecasts().size()).as("forecasts").isEqualTo(expected.forecasts() + run.bad().expectedForecasts());
        Map<String, Long> perSeries = o.forecasts().stream()
                .filter(f -> f.getSeriesKey().startsWith(NabInput.METRIC + "{"))
                .collect(Collectors.groupingBy(Forecast::getSeriesKey, TreeMap::new, Collectors.counting()));
        Map<String, Long> expectedPerSeries = new TreeMap<>();
        expected.forecastsPerSeries.forEach((k, v) -> expectedPerSeries.put(k, (long) v));
        assertThat(perSeries).isEqualTo(expectedPerSeries);
        assertThat(o.forecasts()).allMatch(f -> f.getStatus() == ForecastStatus.OK && f.getMean().size() == 16);

        Map<String, Long> reasons = o.deadLetters().stream()
                .collect(Collectors.groupingBy(DeadLetter::getReason, TreeMap::new, Collectors.counting()));
        Map<String, Long> expectedReasons = run.bad().expectedReasons().stream()
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        expectedReasons.merge("DUPLICATE", (long) expected.duplicates, Long::sum);
        assertThat(reasons).isEqualTo(expectedReasons);
        Map<String, Long> dlqKeys = o.deadLetters().stream().collect(Collectors.groupingBy(
                d -> d.getTopic() + "/" + d.getPartition() + "/" + d.getOffset(), Collectors.counting()));
        assertThat(dlqKeys.values()).as("no dead letter twice").allMatch(c -> c == 1);
        assertThat(o.deadLetters()).allMatch(d -> d.getOriginalBytes() != null || d.getReason().equals("UNDECODABLE"));
    }

    /** Per series: how many keys and the first and last of them. */
    private static String summarize(Set<String> keys) {
        Map<String, List<String>> bySeries = keys.stream().sorted().collect(Collectors.groupingBy(
                k -> k.substring(0, k.indexOf('@')), TreeMap::new, Collectors.toList()));
        StringBuilder sb = new StringBuilder();
        bySeries.forEach((k, v) -> sb.append(String.format("%n  %s: %d, %s .. %s", k, v.size(),
                v.get(0).substring(k.length()), v.get(v.size() - 1).substring(k.length()))));
        return sb.toString();
    }

    private void assertSameAsOffline(NabInput.SeriesFile f, List<AnomalyFlag> anomalies, Forecaster model) {
        Configuration defaults = new Configuration();
        OfflineRun offline = new OfflineRun(new PatchAssembler(PatchcastJob.patchConfig(defaults)),
                model, PatchcastJob.scoreConfig(defaults), new AlertTracker(PatchcastJob.alertPolicy(defaults)));
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < f.csv().size(); i++) {
            points.add(Point.offline(f.seriesKey(), f.csv().timestamps()[i], f.csv().values()[i], f.relative(), i));
        }
        Map<Long, AnomalyFlag> job = new HashMap<>();
        anomalies.stream().filter(a -> a.getSeriesKey().equals(f.seriesKey()))
                .forEach(a -> job.put(a.getTimestamp().toEpochMilli(), a));
        int compared = 0;
        for (OfflineRun.Row r : offline.run(points).rows()) {
            if (r.scored() == null) {
                assertThat(job).doesNotContainKey(r.point().timestamp());
                continue;
            }
            AnomalyFlag a = job.get(r.point().timestamp());
            assertThat(a).as("job scored %s @ %d", f.seriesKey(), r.point().timestamp()).isNotNull();
            assertThat(a.getScore()).as("score of %s @ %d", f.seriesKey(), r.point().timestamp())
                    .isEqualTo(r.scored().score());
            assertThat(a.getFlagged()).isEqualTo(r.scored().flagged());
            compared++;
        }
        assertThat(compared).isEqualTo(job.size());
    }

    private static void scrape(AtomicReference<String> last, AtomicBoolean running) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        while (running.get()) {
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PROMETHEUS_PORT + "/metrics"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
                // tasks unregister their metrics when they finish: keep every patchcast metric name seen
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("patchcast_\\w+").matcher(body);
                StringBuilder names = new StringBuilder(last.get());
                while (m.find()) {
                    if (names.indexOf(m.group() + "\n") < 0) {
                        names.append(m.group()).append('\n');
                    }
                }
                last.set(names.toString());
                Thread.sleep(250); // scrape interval, not a wait for a result
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // not up yet
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fails the job once, after a checkpoint completed and {@code after} points passed a subtask. */
    static final class FailOnce implements MapFunction<Point, Point>, CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private final int after;
        private transient int seen;
        private transient boolean checkpointed;

        FailOnce(int after) {
            this.after = after;
        }

        @Override
        public Point map(Point p) {
            if (++seen > after && checkpointed && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after " + seen + " points");
            }
            return p;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }
}
