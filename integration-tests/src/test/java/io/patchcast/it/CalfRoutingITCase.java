package io.patchcast.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.Patchcast;
import io.patchcast.cli.data.NabInput;
import io.patchcast.cli.demo.PipelineRun;
import io.patchcast.cli.demo.TopicIo;
import io.patchcast.cli.demo.TopicIo.KeyValue;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.job.config.SourceOptions;
import io.patchcast.job.inference.BatcherRegistry;
import io.patchcast.job.inference.ServingPools;
import io.patchcast.job.route.ModelControlCodec;
import io.patchcast.models.api.QuantileGrid;
import io.patchcast.schema.ControlAction;
import io.patchcast.schema.Forecast;
import io.patchcast.schema.ModelControl;
import io.patchcast.store.ModelRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * CALF serving in the real job (MiniCluster, parallelism 2, checkpoints every 300 ms, real KRaft
 * broker): the three metrics of host a are routed by configuration to version 1 of a CALF model
 * that {@code train-calf} trained on their history, the metrics of host b to the shipped default
 * model. Mid-stream a ROUTE command moves host a to version 2. Every patch is forecast exactly once;
 * host a's channels are forecast together (one version per patch for the whole group), and the
 * rolling conformal intervals' coverage is measured on the points that followed.
 */
@Tag("slow")
class CalfRoutingITCase extends BrokerAndCluster {

    static final Path ROOT = Path.of(System.getProperty("patchcast.root", ".."));
    static final long STEP = RoutingHarness.STEP;
    static final int PATCH = RoutingHarness.PATCH;
    static final int ROWS = 1152; // 4 days of 5-minute points, 72 patches
    static final int TRAIN_ROWS = 800;
    static final String CALF = "calf-host-a";
    static final List<String> GROUP_FILES = List.of("host_a_cpu", "host_a_mem", "host_a_disk");
    static final String GROUP_PATTERN = "nab\\{file=\"host_a_.*\"\\}";

    /** Host a: cpu with a daily cycle, mem following it, disk on its own cycle; host b: two more. */
    static Path writeData() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("metrics"));
        SplittableRandom r = new SplittableRandom(11);
        Map<String, StringBuilder> csv = new TreeMap<>();
        for (String name : List.of("host_a_cpu", "host_a_mem", "host_a_disk", "host_b_cpu", "host_b_mem")) {
            csv.put(name, new StringBuilder("timestamp,value\n"));
        }
        long t0 = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < ROWS; i++) {
            double day = Math.sin(2 * Math.PI * i / 288);
            double cpu = 40 + 20 * day + 3 * r.nextGaussian();
            Map<String, Double> v = Map.of(
                    "host_a_cpu", cpu,
                    "host_a_mem", 30 + 0.5 * cpu + r.nextGaussian(),
                    "host_a_disk", 10 + 5 * Math.cos(2 * Math.PI * i / 144) + 0.5 * r.nextGaussian(),
                    "host_b_cpu", 20 + 10 * day + 2 * r.nextGaussian(),
                    "host_b_mem", 60 + r.nextGaussian());
            String ts = Instant.ofEpochMilli(t0 + i * STEP).toString().replace('T', ' ').replace("Z", "");
            v.forEach((k, x) -> csv.get(k).append(ts).append(',').append(String.format("%.4f", x)).append('\n'));
        }
        for (Map.Entry<String, StringBuilder> e : csv.entrySet()) {
            Files.writeString(dir.resolve(e.getKey() + ".csv"), e.getValue().toString());
        }
        return dir;
    }

    /** {@code train-calf} on the first TRAIN_ROWS rows of host a's metrics; the artifact is version {@code n}. */
    static void trainVersion(List<NabInput.SeriesFile> group, Path store, long seed) throws Exception {
        Path train = Files.createDirectories(tmp.resolve("train-" + seed));
        List<String> args = new ArrayList<>(List.of("train-calf", "--input"));
        for (NabInput.SeriesFile f : group) {
            List<String> lines = Files.readAllLines(f.csv().file());
            Path p = train.resolve(f.relative());
            Files.write(p, lines.subList(0, TRAIN_ROWS + 1));
            args.add(p.toString());
        }
        args.addAll(List.of("--channels", group.stream().map(NabInput.SeriesFile::seriesKey)
                        .collect(Collectors.joining(",")),
                "--out", store.toString(), "--name", CALF, "--seq-len", "96", "--pred-len", "16", "--d-model", "24",
                "--gpt-layers", "1", "--n-pca", "8", "--epochs", "2", "--batch", "16", "--seed", Long.toString(seed),
                "--compare-model", "none"));
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new Patchcast());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        assertThat(cli.execute(args.toArray(new String[0]))).as(out.toString()).isZero();
    }

    @Test
    void aGroupOfStreamsIsServedByCalfAndSwapsVersionMidStreamTheRestByTheDefaultModel() throws Exception {
        List<NabInput.SeriesFile> files = NabInput.read(writeData());
        List<NabInput.SeriesFile> group = GROUP_FILES.stream().map(n -> files.stream()
                .filter(f -> f.relative().equals(n + ".csv")).findFirst().orElseThrow()).toList();
        List<String> channels = group.stream().map(NabInput.SeriesFile::seriesKey).toList();
        Path store = tmp.resolve("store");
        trainVersion(group, store, 1);
        trainVersion(group, store, 2);
        assertThat(store.resolve(CALF).resolve("2").resolve("manifest.json")).exists();

        String controlTopic = "calf.model-control";
        Configuration conf = RoutingHarness.routingConf(kafka, "calf", controlTopic, store,
                CALF + "/1[" + String.join("|", channels) + "]=" + GROUP_PATTERN);
        conf.set(InferenceOptions.MODEL, ROOT.resolve(ModelRegistry.DEFAULT_DIR).toString());

        String metrics = conf.get(SourceOptions.METRICS_TOPIC);
        int first = 640; // 40 patches before the swap
        TopicIo.produce(kafka.bootstrapServers(), metrics, NabInput.records(RoutingHarness.slice(files, 0, first)));

        JobClient job = RoutingHarness.start(conf, 2, "patchcast-calf-routing");
        try {
            RoutingHarness.awaitForecasts(kafka, conf, "three version-1 forecasts per channel", fs -> channels.stream()
                    .allMatch(k -> fs.stream().filter(f -> f.getSeriesKey().equals(k)
                            && f.getModelVersion().equals("1")).count() >= 3));
            TopicIo.produce(kafka.bootstrapServers(), controlTopic, List.of(new KeyValue(null, ModelControlCodec.encode(
                    ModelControl.newBuilder().setAction(ControlAction.ROUTE).setSeriesPattern(GROUP_PATTERN)
                            .setModel(CALF).setVersion("2").setChannels(channels)
                            .setIssuedAt(Instant.ofEpochMilli(System.currentTimeMillis())).build()))));
            int at = RoutingHarness.produceUntilServed(kafka, conf, files, first, channels, "2");
            TopicIo.produce(kafka.bootstrapServers(), metrics,
                    NabInput.records(RoutingHarness.slice(files, at, Integer.MAX_VALUE)));
            RoutingHarness.awaitConsumed(kafka, conf, "it-calf");
        } finally {
            job.stopWithSavepoint(true, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(5, java.util.concurrent.TimeUnit.MINUTES); // a stuck job fails the test, not the build's clock
        }

        PipelineRun.Outputs o = PipelineRun.readOutputs(kafka.bootstrapServers(), conf);
        RoutingHarness.assertExactCounts(files, o);

        Map<String, List<Forecast>> bySeries = RoutingHarness.bySeries(o.forecasts());
        RoutingHarness.assertSwappedOnce(bySeries, channels, CALF, "1", "2");
        // the group is forecast as a unit: per patch, one version for all three channels
        Map<Instant, List<String>> perPatch = o.forecasts().stream().filter(f -> channels.contains(f.getSeriesKey()))
                .collect(Collectors.groupingBy(Forecast::getStart, TreeMap::new,
                        Collectors.mapping(Forecast::getModelVersion, Collectors.toList())));
        assertThat(perPatch.values()).allSatisfy(v -> assertThat(v).hasSize(3).containsOnly(v.get(0)));
        for (Map.Entry<String, List<Forecast>> e : bySeries.entrySet()) {
            if (!channels.contains(e.getKey())) {
                assertThat(e.getValue()).as(e.getKey()).allMatch(f -> f.getModel().equals("patchcast-moirai-moe-s"));
            }
        }

        // coverage of CALF's rolling conformal 80% interval on the points it forecast
        Map<String, Double> actual = new HashMap<>();
        for (NabInput.SeriesFile f : group) {
            for (int i = 0; i < f.csv().size(); i++) {
                actual.put(f.seriesKey() + "@" + f.csv().timestamps()[i], f.csv().values()[i]);
            }
        }
        int lo = QuantileGrid.indexOf(0.1);
        int hi = QuantileGrid.indexOf(0.9);
        long inside = 0;
        long points = 0;
        for (String k : channels) {
            for (Forecast f : bySeries.get(k)) {
                for (int h = 0; h < PATCH; h++) {
                    Double y = actual.get(k + "@" + (f.getStart().toEpochMilli() + h * STEP));
                    if (y != null && f.getContextLength() >= 96 + 16 * 8) { // at least 8 rolling windows
                        points++;
                        inside += y >= f.getQuantiles().get(h).get(lo) && y <= f.getQuantiles().get(h).get(hi) ? 1 : 0;
                    }
                }
            }
        }
        double coverage = inside / (double) points;
        System.out.printf("CALF rolling conformal 80%% interval: coverage %.3f over %d points%n", coverage, points);
        assertThat(points).isGreaterThan(1000);
        assertThat(coverage).isBetween(0.65, 0.92);
        assertThat(BatcherRegistry.active()).as("micro-batchers closed with the job").isZero();
        assertThat(ServingPools.active()).as("routed model pools closed with the job").isZero();
    }
}
