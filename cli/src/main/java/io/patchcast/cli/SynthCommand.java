package io.patchcast.cli;

import io.patchcast.cli.data.CsvSeries;
import io.patchcast.models.training.SyntheticSeries;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes synthetic monitoring series (the training generator) as timestamp,value CSVs. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write synthetic monitoring series (the generator train-default learns from) as timestamp,value "
                + "CSVs, e.g. held-out series for evaluate.")
final class SynthCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Folder to write series-NNN.csv into.")
    Path out;

    @Option(names = "--count", defaultValue = "20", description = "Number of series. Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--length", defaultValue = "2000", description = "Points per series. Default: ${DEFAULT-VALUE}.")
    int length;

    @Option(names = "--seed", defaultValue = "424242",
            description = "Seed (training uses other streams). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ArgumentChecks.atLeast(spec, "--count", count, 1);
        ArgumentChecks.atLeast(spec, "--length", length, 1);
        Files.createDirectories(out);
        SplittableRandom r = new SplittableRandom(seed);
        long start = 1_704_067_200_000L; // 2024-01-01T00:00Z
        for (int i = 0; i < count; i++) {
            SyntheticSeries.Sample s = SyntheticSeries.sample(r.split(), length);
            try (BufferedWriter w = Files.newBufferedWriter(out.resolve(String.format("series-%03d.csv", i)),
                    StandardCharsets.UTF_8)) {
                w.write("timestamp,value\n");
                for (int t = 0; t < length; t++) {
                    double v = s.values()[t];
                    w.write(CsvSeries.format(start + t * s.stepMillis()) + "," + (Double.isNaN(v) ? "" : Float.toString((float) v)) + "\n");
                }
            }
        }
        return 0;
    }
}
