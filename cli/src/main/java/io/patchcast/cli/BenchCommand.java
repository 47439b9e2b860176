package io.patchcast.cli;

import ai.djl.Device;
import io.patchcast.models.moiraimoe.bench.MoiraiBenchmark;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Throughput of the Moirai-MoE forecaster with its reference-style baseline in the same run
 * ({@link MoiraiBenchmark}); human-readable lines, then one JSON line last.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark Moirai-MoE forecasts (series/s) against the dense reference-style "
                + "MoE baseline measured in the same run; prints one JSON line last.")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", defaultValue = "small",
            description = "small, base (random weights of the released shapes) or a checkpoint directory. "
                    + "Default: ${DEFAULT-VALUE}.")
    String config;

    @Option(names = "--context", defaultValue = "512", description = "Context steps C. Default: ${DEFAULT-VALUE}.")
    int context;

    @Option(names = "--horizon", defaultValue = "16",
            description = "Horizon H; above 16 runs the autoregressive sample paths. Default: ${DEFAULT-VALUE}.")
    int horizon;

    @Option(names = "--samples", defaultValue = "100",
            description = "Sample paths S (uni2ts eval default). Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--batch", defaultValue = "1", description = "Series per forecast call B. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--threads", defaultValue = "2",
            description = "Compute threads (the reference's torch.set_num_threads counterpart). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", description = "Engine device. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--baseline", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also time the dense reference-style MoE baseline (--no-baseline skips it). Default: ${DEFAULT-VALUE}.")
    boolean baseline;

    @Option(names = "--seconds", defaultValue = "10",
            description = "Timing per model: warm-up seconds/2 (baseline: 1 call), then at least this long. "
                    + "Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(names = "--rounds", defaultValue = "3",
            description = "Timed blocks per model, alternating optimized and baseline. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--leak-check", defaultValue = "0", paramLabel = "N",
            description = "Also run N consecutive batch-1 next-patch forecasts and report RSS growth. "
                    + "Default: ${DEFAULT-VALUE}.")
    int leakCheck;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        MoiraiBenchmark.Settings s = new MoiraiBenchmark.Settings(config, context, horizon, samples, batch,
                threads, Device.fromName(device), baseline, seconds, rounds, leakCheck);
        out.printf(Locale.ROOT, "bench %s: context %d, horizon %d, samples %d, batch %d, threads %d, device %s,"
                + " load average %.2f%n", config, context, horizon, samples, batch, threads, device,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.flush();
        MoiraiBenchmark.Result r = MoiraiBenchmark.run(s, line -> {
            out.println(line);
            out.flush();
        });
        if (r.baseline() != null) {
            out.printf(Locale.ROOT, "ratio sparse / dense_reference: %.2fx%n",
                    r.optimized().seriesPerSecond() / r.baseline().seriesPerSecond());
        }
        out.printf(Locale.ROOT, "memory: peak heap %.1f MiB, peak RSS %.1f MiB, peak native %.1f MiB (RSS - committed heap, "
                + "sampled between forecasts), RSS now %.1f MiB%n", r.peakHeapMb(), r.peakRssMb(),
                r.peakNativeMb(), r.rssMb());
        out.println(r.toJson());
        out.flush();
        return 0;
    }
}
