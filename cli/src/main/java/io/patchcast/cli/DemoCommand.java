package io.patchcast.cli;

import io.patchcast.cli.data.NabInput;
import io.patchcast.cli.data.NabLabels;
import io.patchcast.cli.demo.BadInputCorpus;
import io.patchcast.cli.demo.PipelineRun;
import io.patchcast.cli.demo.TopicIo;
import io.patchcast.cli.demo.TopicIo.KeyValue;
import io.patchcast.cli.kafka.EmbeddedKafka;
import io.patchcast.cli.report.HtmlReport;
import io.patchcast.cli.report.ReportData;
import io.patchcast.cli.report.RunTotals;
import io.patchcast.cli.report.SeriesData;
import io.patchcast.job.config.AnomalyOptions;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.job.config.SourceOptions;
import io.patchcast.schema.AlertState;
import io.patchcast.schema.AlertTransition;
import io.patchcast.schema.AnomalyFlag;
import io.patchcast.schema.DeadLetter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Starts an embedded Kafka broker and a Flink MiniCluster, streams the shipped NAB files (and a few
 * bad records) through the real job, and writes an HTML report of what came out.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the job end to end on the shipped NAB data: embedded Kafka, Flink MiniCluster, HTML report.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "${sys:patchcast.home:-.}/data/nab-aws",
            description = "Folder of timestamp,value CSV files. Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--labels", description = "Labelled windows (NAB layout). Default: <data>/labels.json if present.")
    Path labels;

    @Option(names = "--out", defaultValue = "demo-out", description = "Output folder for report.html. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--parallelism", defaultValue = "2", description = "MiniCluster parallelism. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(names = "--bad-input", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also send a small corpus of bad records (they end on the dead-letter topic). Default: ${DEFAULT-VALUE}.")
    boolean badInput;

    @Mixin
    JobConfigMixin job;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        // every argument is checked before the broker and the cluster start
        ArgumentChecks.atLeast(spec, "--parallelism", parallelism, 1);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(),
                    "--out " + out + " is a file; expected a folder to write report.html into");
        }
        if (labels != null && !Files.isRegularFile(labels)) {
            throw new ParameterException(spec.commandLine(), "--labels " + labels + ": no such file");
        }
        Configuration base = job.configuration();
        JobConfigMixin.checkModel(base);
        List<NabInput.SeriesFile> files = NabInput.read(data);
        Path labelFile = labels != null ? labels : data.resolve("labels.json");
        NabLabels nab = Files.isRegularFile(labelFile) ? NabLabels.read(labelFile) : new NabLabels(Map.of(), Map.of());
        Files.createDirectories(out);
        List<KeyValue> records = new ArrayList<>(NabInput.records(files));
        if (badInput) {
            records.addAll(BadInputCorpus.create(files.get(0).csv().timestamps()[0], System.currentTimeMillis()).records());
        }
        PipelineRun.Outputs o;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Configuration conf = PipelineRun.boundedRun(base, kafka.bootstrapServers());
            PipelineRun.createTopics(kafka, conf);
            TopicIo.produce(kafka.bootstrapServers(), conf.get(SourceOptions.METRICS_TOPIC), records);
            PipelineRun.runJob(conf, parallelism, UnaryOperator.identity());
            o = PipelineRun.readOutputs(kafka.bootstrapServers(), conf);
        }
        long flagged = o.anomalies().stream().filter(AnomalyFlag::getFlagged).count();
        long firing = o.alerts().stream().filter(a -> a.getState() == AlertState.FIRING).count();
        Path report = out.resolve("report.html");
        HtmlReport.write(report(files, nab, o, base, records.size(), flagged, firing), report);
        console.printf("report: %s%n", report.toAbsolutePath());
        console.printf("demo: %d points, %d forecasts, %d flagged points, %d alerts, %d dead letters%n",
                records.size(), o.forecasts().size(), flagged, firing, o.deadLetters().size());
        console.flush();
        return 0;
    }

    private static ReportData report(List<NabInput.SeriesFile> files, NabLabels nab, PipelineRun.Outputs o,
            Configuration conf, long points, long flagged, long firing) {
        Map<String, List<AnomalyFlag>> flags = new TreeMap<>();
        for (AnomalyFlag a : o.anomalies()) {
            flags.computeIfAbsent(a.getSeriesKey(), k -> new ArrayList<>()).add(a);
        }
        Map<String, List<AlertTransition>> transitions = new TreeMap<>();
        for (AlertTransition t : o.alerts()) {
            transitions.computeIfAbsent(t.getSeriesKey(), k -> new ArrayList<>()).add(t);
        }
        List<SeriesData> series = new ArrayList<>();
        Map<String, String> keys = nab.keysOf(files.stream().map(NabInput.SeriesFile::relative).toList());
        for (NabInput.SeriesFile f : files) {
            String key = keys.getOrDefault(f.relative(), "");
            series.add(new SeriesData(f.seriesKey(), flags.getOrDefault(f.seriesKey(), List.of()),
                    transitions.getOrDefault(f.seriesKey(), List.of()), nab.windowsOf(key), nab.labelsOf(key)));
        }
        Map<String, Long> dlq = new LinkedHashMap<>();
        for (DeadLetter d : o.deadLetters()) {
            dlq.merge(d.getReason(), 1L, Long::sum);
        }
        String model = o.forecasts().isEmpty() ? conf.get(InferenceOptions.MODEL)
                : o.forecasts().get(0).getModel() + "@" + o.forecasts().get(0).getModelVersion();
        return new ReportData("patchcast demo · " + model,
                String.format("level=%s alert=%d-of-%d recover-after=%d cooldown=%s",
                        conf.get(AnomalyOptions.LEVEL), conf.get(AnomalyOptions.ALERT_K), conf.get(AnomalyOptions.ALERT_N),
                        conf.get(AnomalyOptions.ALERT_RECOVER_AFTER), conf.get(AnomalyOptions.ALERT_COOLDOWN)),
                new RunTotals(points, o.forecasts().size(), flagged, firing, dlq), series);
    }
}
