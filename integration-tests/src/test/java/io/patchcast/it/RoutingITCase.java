package io.patchcast.it;

import static io.patchcast.it.RoutingHarness.PATCH;
import static io.patchcast.it.RoutingHarness.STEP;
import static io.patchcast.it.RoutingHarness.assertExactCounts;
import static io.patchcast.it.RoutingHarness.assertSwappedOnce;
import static io.patchcast.it.RoutingHarness.awaitConsumed;
import static io.patchcast.it.RoutingHarness.awaitForecasts;
import static io.patchcast.it.RoutingHarness.bySeries;
import static io.patchcast.it.RoutingHarness.produceUntilServed;
import static io.patchcast.it.RoutingHarness.routingConf;
import static io.patchcast.it.RoutingHarness.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.data.NabInput;
import io.patchcast.cli.demo.PipelineRun;
import io.patchcast.cli.demo.TopicIo;
import io.patchcast.cli.demo.TopicIo.KeyValue;
import io.patchcast.job.config.SourceOptions;
import io.patchcast.job.inference.BatcherRegistry;
import io.patchcast.job.inference.ServingPools;
import io.patchcast.job.route.ModelControlCodec;
import io.patchcast.schema.AnomalyFlag;
import io.patchcast.schema.ControlAction;
import io.patchcast.schema.DeadLetter;
import io.patchcast.schema.Forecast;
import io.patchcast.schema.ModelControl;
import io.patchcast.store.Manifest;
import io.patchcast.store.ModelRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Routing and a hot swap in the real job (MiniCluster, parallelism 2, checkpoints every 300 ms)
 * against a real KRaft broker: two NAB series are routed by configuration to version 1 of a
 * Moirai-MoE model in a model store, one to a version whose weights fail SHA-256 verification, the
 * rest use the default seasonal-naive. Mid-stream a ROUTE command on the control topic moves the
 * group to version 2. The job runs unbounded and is stopped with a draining savepoint once it has
 * consumed every point; outputs are read with read_committed.
 */
@Tag("slow")
class RoutingITCase extends BrokerAndCluster {

    static final Path ROOT = Path.of(System.getProperty("patchcast.root", ".."));
    static final Path NAB = ROOT.resolve("data/nab-aws");
    static final Path MOIRAI_FIXTURE = Path.of(System.getProperty("patchcast.fixtures",
            ROOT.resolve("../shared/fixtures/moirai-moe").toString())).resolve("model").normalize();
    static final String MODEL = "moirai-fixture";
    static final List<String> FILES = List.of("ec2_cpu_utilization_24ae8d.csv", "ec2_cpu_utilization_53ea38.csv",
            "ec2_cpu_utilization_5f5533.csv", "ec2_cpu_utilization_77c1ca.csv");
    static final String GROUP_PATTERN = "nab\\{file=\"ec2_cpu_utilization_(24ae8d|53ea38)\"\\}";
    static final String BROKEN_PATTERN = "nab\\{file=\"ec2_cpu_utilization_5f5533\"\\}";

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

        JobClient job = RoutingHarness.start(conf, 2, "patchcast-routing");
        try {
            awaitForecasts(kafka, conf, "three version-1 forecasts per group series", fs -> group.stream()
                    .allMatch(k -> fs.stream().filter(f -> f.getSeriesKey().equals(k)
                            && f.getModelVersion().equals("1")).count() >= 3));

            TopicIo.produce(kafka.bootstrapServers(), controlTopic,
                    List.of(control(ControlAction.ROUTE, GROUP_PATTERN, "2", System.currentTimeMillis())));
            int at = produceUntilServed(kafka, conf, files, first, group, "2");
            List<NabInput.SeriesFile> rest = slice(files, at, Integer.MAX_VALUE);
            TopicIo.produce(kafka.bootstrapServers(), metrics, NabInput.records(rest));
            awaitConsumed(kafka, conf, "it-route");
        } finally {
            // drain: the end of event time flushes every series' last patch, as at the end of bounded input
            job.stopWithSavepoint(true, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(5, java.util.concurrent.TimeUnit.MINUTES); // a stuck job fails the test, not the build's clock
        }

        PipelineRun.Outputs o = PipelineRun.readOutputs(kafka.bootstrapServers(), conf);
        assertExactCounts(files, o);

        Map<String, List<Forecast>> bySeries = bySeries(o.forecasts());
        assertSwappedOnce(bySeries, group, MODEL, "1", "2");
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

}
