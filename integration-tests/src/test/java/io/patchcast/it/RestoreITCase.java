package io.patchcast.it;

import static io.patchcast.it.RoutingHarness.PATCH;
import static io.patchcast.it.RoutingHarness.assertExactCounts;
import static io.patchcast.it.RoutingHarness.awaitConsumed;
import static io.patchcast.it.RoutingHarness.produceUntilServed;
import static io.patchcast.it.RoutingHarness.bySeries;
import static io.patchcast.it.RoutingHarness.routingConf;
import static io.patchcast.it.RoutingHarness.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.data.NabInput;
import io.patchcast.cli.demo.PipelineRun;
import io.patchcast.cli.demo.TopicIo;
import io.patchcast.job.config.SourceOptions;
import io.patchcast.job.inference.BatcherRegistry;
import io.patchcast.job.inference.ServingPools;
import io.patchcast.schema.ControlAction;
import io.patchcast.schema.Forecast;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A user's stop-and-restore: the job (MiniCluster, parallelism 2, against a real KRaft broker) runs
 * with two series routed to version 2 of a Moirai-MoE model by a command on the control topic, is
 * stopped mid-stream with a savepoint, and restored from it at parallelism 1 (rescaled: keyed state
 * and the broadcast routing rules are redistributed) on a fresh model loader. Across the restore
 * every point is scored once and every patch forecast once (read_committed), and the routed series
 * are served by version 2 from their first request after the restore, not by the default model
 * while it loads.
 */
@Tag("slow")
class RestoreITCase extends BrokerAndCluster {

    static final List<String> FILES = List.of("ec2_cpu_utilization_24ae8d.csv", "ec2_cpu_utilization_53ea38.csv",
            "ec2_cpu_utilization_5f5533.csv");
    static final String PATTERN = "nab\\{file=\"ec2_cpu_utilization_(24ae8d|53ea38)\"\\}";

    @Test
    void restoredAtAnotherParallelismEveryPointIsScoredOnceAndRoutedSeriesKeepTheirVersion() throws Exception {
        Path store = tmp.resolve("store");
        RoutingITCase.addVersion(store, "2");
        String controlTopic = "restore.model-control";
        Configuration conf = routingConf(kafka, "restore", controlTopic, store, "");

        List<NabInput.SeriesFile> files = new ArrayList<>();
        for (NabInput.SeriesFile f : NabInput.read(RoutingITCase.NAB)) {
            if (FILES.contains(f.relative())) {
                files.add(f);
            }
        }
        assertThat(files).hasSize(FILES.size());
        Set<String> routed = files.stream().map(NabInput.SeriesFile::seriesKey).filter(k -> k.matches(PATTERN))
                .collect(Collectors.toSet());
        assertThat(routed).hasSize(2);

        TopicIo.produce(kafka.bootstrapServers(), controlTopic,
                List.of(RoutingITCase.control(ControlAction.ROUTE, PATTERN, "2", 1)));
        String metrics = conf.get(SourceOptions.METRICS_TOPIC);
        String savepoint;
        int split;
        JobClient first = RoutingHarness.start(conf, 2, "patchcast-before-restore");
        try {
            // the rule reaches the router at some point after the start: chunks until version 2 serves
            int at = produceUntilServed(kafka, conf, files, 0, routed, "2");
            split = Math.max(at, 1600);
            TopicIo.produce(kafka.bootstrapServers(), metrics, NabInput.records(slice(files, at, split)));
            awaitConsumed(kafka, conf, "it-restore");
        } finally {
            // no drain: the series' open patches stay in the savepoint, as when a user stops to upgrade
            savepoint = first.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(5, TimeUnit.MINUTES);
        }
        long lastBefore = PipelineRun.readOutputs(kafka.bootstrapServers(), conf).forecasts().stream()
                .mapToLong(f -> f.getStart().toEpochMilli()).max().orElseThrow();

        TopicIo.produce(kafka.bootstrapServers(), metrics, NabInput.records(slice(files, split, Integer.MAX_VALUE)));
        Configuration restore = new Configuration(conf);
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient second = RoutingHarness.start(restore, 1, "patchcast-restored"); // rescaled
        try {
            awaitConsumed(kafka, restore, "it-restore");
        } finally {
            second.stopWithSavepoint(true, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(5, TimeUnit.MINUTES);
        }

        PipelineRun.Outputs o = PipelineRun.readOutputs(kafka.bootstrapServers(), conf);
        assertExactCounts(files, o); // nothing lost or doubled across the stop, the rescale and the restore
        Map<String, List<Forecast>> bySeries = bySeries(o.forecasts());
        for (String k : routed) {
            List<String> models = bySeries.get(k).stream().map(f -> f.getModel() + "@" + f.getModelVersion()).toList();
            int firstRouted = models.indexOf(RoutingITCase.MODEL + "@2");
            assertThat(firstRouted).as("%s served by version 2", k).isNotNegative();
            // the rule may reach the router after the first requests; once it serves, only version 2
            assertThat(models.subList(firstRouted, models.size())).as("%s after the swap, across the restore", k)
                    .allMatch((RoutingITCase.MODEL + "@2")::equals);
            long afterRestore = bySeries.get(k).stream().filter(f -> f.getStart().toEpochMilli() > lastBefore).count();
            assertThat(afterRestore).as("%s forecasts after the restore", k).isGreaterThan(100);
        }
        for (Map.Entry<String, List<Forecast>> e : bySeries.entrySet()) {
            if (!routed.contains(e.getKey())) {
                assertThat(e.getValue()).as(e.getKey()).allMatch(f -> f.getModel().equals("seasonal-naive"));
            }
        }
        assertThat(o.forecasts()).allMatch(f -> f.getMean().size() == PATCH);
        assertThat(BatcherRegistry.active()).as("micro-batchers closed with the job").isZero();
        assertThat(ServingPools.active()).as("routed model pools closed with the job").isZero();
    }
}
