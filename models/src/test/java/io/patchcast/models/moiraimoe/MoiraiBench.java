package io.patchcast.models.moiraimoe;

import io.patchcast.models.api.ForecastRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Throughput of Moirai-MoE next-patch forecasts with random weights of the released small shapes
 * (spec §1: d_model 384, d_ff 512, 6 layers, 32 experts top-2), context 512, horizon 16, batch
 * 1/8/64 on the CPU engine. Prints one JSON line: per batch the series per second of the module
 * forward alone and of the full forecast (forward + 16 x 31 grid quantiles by CDF inversion), and
 * each batch's forward throughput relative to batch 1 measured in the same run (the baseline).
 *
 * <p>On a shared 2-core machine more than one intra-op thread made libtorch (OpenMP) 10-50x slower
 * when the other core was busy, hence the default of 1 thread.
 *
 * <p>Run: {@code java -Dai.djl.offline=true -cp ... io.patchcast.models.moiraimoe.MoiraiBench
 * [seconds-per-point [engine-threads]]}.
 */
public final class MoiraiBench {

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int context = 512;
        int horizon = 16;
        Path dir = Files.createTempDirectory("moirai-bench");
        RandomCheckpoint.write(dir, 384, 512, 6, 1);
        StringBuilder json = new StringBuilder();
        json.append(
                String.format(
                        Locale.ROOT,
                        "{\"model\":\"moirai-moe-small-random\",\"context\":%d,\"horizon\":%d,"
                                + "\"threads\":%d,\"device\":\"cpu\",\"seconds_per_point\":%.1f,"
                                + "\"results\":[",
                        context,
                        horizon,
                        threads,
                        seconds));
        try (MoiraiMoeForecaster f =
                MoiraiMoeForecaster.builder()
                        .setCheckpoint(dir)
                        .setName("moirai-moe-small-random")
                        .setEngineThreads(threads)
                        .build()) {
            MoiraiMoEModule module = f.module();
            double base = 0;
            int[] batches = {1, 8, 64};
            for (int bi = 0; bi < batches.length; bi++) {
                int b = batches[bi];
                List<ForecastRequest> reqs = requests(b, context);
                MoiraiMoEForecast fc = new MoiraiMoEForecast(module, context, horizon, 1, 1);
                PackedBatch packed = fc.convert(MoiraiMoeForecaster.pastInputs(fc, reqs));
                double fwd = rate(() -> module.forward(packed), b, seconds);
                double full = rate(() -> f.forecast(reqs, horizon), b, seconds);
                if (b == 1) {
                    base = fwd;
                }
                json.append(
                        String.format(
                                Locale.ROOT,
                                "%s{\"batch\":%d,\"series_per_s\":%.2f,\"forward_series_per_s\":%.2f,"
                                    + "\"forward_vs_batch1\":%.2f}",
                                bi == 0 ? "" : ",",
                                b,
                                full,
                                fwd,
                                fwd / base));
            }
        }
        json.append("]}");
        System.out.println(json);
    }

    static List<ForecastRequest> requests(int b, int context) {
        SplittableRandom r = new SplittableRandom(b);
        List<ForecastRequest> out = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            float[] v = new float[context];
            boolean[] o = new boolean[context];
            double level = 100 * r.nextDouble();
            for (int t = 0; t < context; t++) {
                v[t] = (float) (level + 10 * Math.sin(2 * Math.PI * t / 48) + r.nextGaussian());
                o[t] = r.nextDouble() > 0.02;
            }
            out.add(new ForecastRequest("s" + i, 0, v, o));
        }
        return out;
    }

    /** Series per second: 2 warm-up calls, then calls until {@code seconds} have passed. */
    static double rate(Runnable call, int batch, double seconds) {
        call.run();
        call.run();
        long start = System.nanoTime();
        long n = 0;
        while (System.nanoTime() - start < seconds * 1e9 || n < 3) {
            call.run();
            n++;
        }
        return n * batch / ((System.nanoTime() - start) / 1e9);
    }
}
