package io.patchcast.cli;

import ai.djl.ndarray.NDManager;
import io.patchcast.cli.data.CsvSeries;
import io.patchcast.job.source.MetricPointCodec;
import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import io.patchcast.models.calf.CalfArtifact;
import io.patchcast.models.calf.CalfConfig;
import io.patchcast.models.calf.CalfInit;
import io.patchcast.models.calf.CalfModel;
import io.patchcast.models.calf.CalfParameters;
import io.patchcast.models.calf.CalfTrainer;
import io.patchcast.models.calf.CalfTrainingRun;
import io.patchcast.models.calf.CalfWindows;
import io.patchcast.models.calf.CmLoss;
import io.patchcast.models.calf.ConformalResiduals;
import io.patchcast.models.calf.PrincipalWordEmbeddings;
import io.patchcast.models.fallback.SeasonalNaiveForecaster;
import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.TensorInfo;
import io.patchcast.store.Manifest;
import io.patchcast.store.ModelRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Trains a CALF model for one channel group (CSV files sharing a timeline) and writes a versioned
 * artifact {@code OUT/NAME/VERSION/} with manifest and SHA-256. Splits as CALF's Dataset_Custom (70 %
 * train, 10 % calibration, 20 % held-out tail); the loss runs in the train rows' StandardScaler space
 * as in CALF, forecasts in raw units (instance normalisation makes the model equivariant to a
 * per-channel affine map, up to its eps 1e-5).
 */
@Command(name = "train-calf", mixinStandardHelpOptions = true,
        description = "Train a CALF model for a group of series sharing a timeline; writes OUT/NAME/VERSION with manifest, prints the held-out error next to seasonal naive.")
final class TrainCalfCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, arity = "1..*", description = "timestamp,value CSV files, one per channel; rows are joined on timestamps.")
    List<Path> inputs;

    @Option(names = "--out", required = true, description = "Model store folder; the artifact goes to OUT/NAME/VERSION.")
    Path out;

    @Option(names = "--name", defaultValue = "calf", description = "Model name. Default: ${DEFAULT-VALUE}.")
    String name;

    @Option(names = "--seq-len", defaultValue = "96", description = "Context length L. Default: ${DEFAULT-VALUE}.")
    int seqLen;

    @Option(names = "--pred-len", defaultValue = "16", description = "Horizon H. Default: ${DEFAULT-VALUE}.")
    int predLen;

    @Option(names = "--gpt2", description = "Hugging Face gpt2 model.safetensors; without it GPT-2 is randomly initialised (seed in the manifest).")
    Path gpt2;

    @Option(names = "--gpt2-heads", defaultValue = "12", description = "Attention heads of the --gpt2 checkpoint. Default: ${DEFAULT-VALUE}.")
    int gpt2Heads;

    @Option(names = "--gpt-layers", description = "GPT-2 blocks kept. Default: 6 with --gpt2, else 2.")
    Integer gptLayers;

    @Option(names = "--d-model", defaultValue = "96", description = "Width without --gpt2 (multiple of 12). Default: ${DEFAULT-VALUE}.")
    int dModel;

    @Option(names = "--n-pca", description = "Principal word embeddings. Default: 500 with --gpt2, else d_model / 2.")
    Integer nPca;

    @Option(names = "--epochs", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", defaultValue = "5e-4", description = "model_optim learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--task-loss", defaultValue = "l1", description = "Loss of the time branch's forecast against the target, as CALF's run.py --task_loss: l1, smooth_l1 or mse. Default: ${DEFAULT-VALUE}.")
    String taskLoss;

    @Option(names = "--output-loss", defaultValue = "l1", description = "Loss between the two branches' forecasts (run.py --output_loss): l1, smooth_l1 or mse. Default: ${DEFAULT-VALUE}.")
    String outputLoss;

    @Option(names = "--feature-loss", defaultValue = "l1", description = "Loss between the two branches' features (run.py --feature_loss): l1, smooth_l1 or mse. Default: ${DEFAULT-VALUE}.")
    String featureLoss;

    @Option(names = "--task-w", defaultValue = "1.0", description = "Weight of the task loss (run.py --task_w). Default: ${DEFAULT-VALUE}.")
    float taskW;

    @Option(names = "--output-w", defaultValue = "1.0", description = "Weight of the output loss (run.py --output_w). Default: ${DEFAULT-VALUE}.")
    float outputW;

    @Option(names = "--feature-w", defaultValue = "0.01", description = "Weight of the feature loss (run.py --feature_w). Default: ${DEFAULT-VALUE}.")
    float featureW;

    @Option(names = "--seed", defaultValue = "2021", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--channels", split = ",", description = "Series keys of the --input files, in their order, as the job names them (route rules name these channels). Default: the file names without .csv. Every channel needs its own name.")
    List<String> channelKeys;

    @Option(names = "--compare-model", defaultValue = "default", description = "Model the held-out tail also compares with (patchcast.model syntax; 'none' to skip). Default: ${DEFAULT-VALUE} (the shipped model).")
    String compareModel;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        List<String> channels = channelNames();
        CmLoss loss = loss();
        float[][] cols = join(inputs);
        int t = cols[0].length;
        int m = channels.size();
        int nTrain = (int) (0.7 * t);
        int nTest = (int) (0.2 * t);
        int nVal = t - nTrain - nTest;
        if (nVal + nTest < 2 * (seqLen + predLen)) {
            spec.commandLine().getErr().printf("%d joined rows are too few for seq_len %d + pred_len %d%n", t, seqLen, predLen);
            return 2;
        }
        double[] mean = new double[m];
        double[] std = new double[m];
        float[] raw = new float[t * m];
        float[] scaled = new float[t * m];
        for (int c = 0; c < m; c++) {
            for (int i = 0; i < nTrain; i++) {
                mean[c] += cols[c][i] / nTrain;
            }
            for (int i = 0; i < nTrain; i++) {
                std[c] += (cols[c][i] - mean[c]) * (cols[c][i] - mean[c]) / nTrain;
            }
            std[c] = Math.sqrt(std[c]) > 0 ? Math.sqrt(std[c]) : 1.0;
            for (int i = 0; i < t; i++) {
                raw[i * m + c] = cols[c][i];
                scaled[i * m + c] = (float) ((cols[c][i] - mean[c]) / std[c]);
            }
        }
        Map<String, Object> recipe = new LinkedHashMap<>();
        try (NDManager root = NDManager.newBaseManager()) {
            Map<String, float[]> values;
            float[] wte;
            CalfConfig cfg;
            int vocab;
            if (gpt2 != null) {
                try (SafetensorsReader r = SafetensorsReader.open(gpt2)) {
                    String pre = r.contains("wte.weight") ? "" : "transformer.";
                    TensorInfo wteInfo = r.info(pre + "wte.weight");
                    vocab = (int) wteInfo.shape()[0];
                    int d = (int) wteInfo.shape()[1];
                    cfg = new CalfConfig(seqLen, predLen, d, gptLayers == null ? 6 : gptLayers, gpt2Heads,
                            (int) r.info(pre + "wpe.weight").shape()[0], (int) r.info(pre + "h.0.mlp.c_fc.bias").shape()[0],
                            CalfConfig.ENCODER_HEADS, CalfConfig.ENCODER_FF, 8, 32, nPca == null ? 500 : nPca);
                    wte = r.floats(pre + "wte.weight");
                    values = CalfInit.random(cfg, seed, cfg.gptLayers());
                    for (String key : r.tensors().keySet()) {
                        String k = key.substring(pre.length());
                        for (String branch : List.of("gpt2.", "gpt2_text.")) {
                            if (values.containsKey(branch + k)) {
                                values.put(branch + k, r.floats(key));
                            }
                        }
                    }
                }
                recipe.put("gpt2", gpt2.toAbsolutePath().toString());
            } else {
                cfg = new CalfConfig(seqLen, predLen, dModel, gptLayers == null ? 2 : gptLayers, 4, 1024, 4 * dModel,
                        CalfConfig.ENCODER_HEADS, CalfConfig.ENCODER_FF, 8, 32, nPca == null ? dModel / 2 : nPca);
                vocab = Math.max(1000, 2 * dModel);
                wte = CalfInit.randomWte(vocab, dModel, seed);
                values = CalfInit.random(cfg, seed, cfg.gptLayers());
                recipe.put("gpt2", "random initialisation (seed " + seed + ", vocab " + vocab + ")");
            }
            float[] wordEmbedding = PrincipalWordEmbeddings.compute(wte, vocab, cfg.dModel(), cfg.nPca(), root);
            try (CalfParameters p = CalfParameters.of(cfg, values, root.newSubManager())) {
                CalfModel model = new CalfModel(p);
                CalfTrainer trainer = new CalfTrainer(model, wordEmbedding, loss, lr);
                CalfWindows train = new CalfWindows(scaled, t, m, seqLen, predLen);
                int b = Math.min(batch, train.count(0, nTrain));
                List<Double> losses = CalfTrainingRun.train(trainer, train, 0, nTrain, epochs, b, lr, 20, seed);
                for (int e = 0; e < losses.size(); e++) {
                    o.printf("epoch %d: mean total loss %.4f%n", e + 1, losses.get(e));
                }
                double last = losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
                if (!Double.isFinite(last)) {
                    throw new IllegalStateException(String.format(
                            "training diverged: the last epoch's mean loss is %s; nothing written (try a lower --lr than %s)",
                            last, lr));
                }
                CalfWindows rawW = new CalfWindows(raw, t, m, seqLen, predLen);
                ConformalResiduals res = calibrate(model, rawW, nTrain - seqLen, nTrain + nVal, m);
                Evaluation ev = evaluate(model, rawW, res, t - nTest - seqLen, t, m, std, channels);
                o.printf("held-out tail (%d windows, %d channels, scaled units): CALF MAE %.4f MSE %.4f | seasonal naive MAE %.4f MSE %.4f%n",
                        ev.windows, m, ev.mae, ev.mse, ev.naiveMae, ev.naiveMse);
                if (!"none".equals(compareModel)) {
                    try (Forecaster other = ModelRegistry.open(compareModel, "cpu", 1)) {
                        double[] e = evaluateOther(other, raw, t, m, t - nTest, std, channels);
                        o.printf("held-out tail, %s@%s with up to %d points of context: MAE %.4f MSE %.4f%n",
                                other.name(), other.version(), OTHER_CONTEXT, e[0], e[1]);
                        recipe.put("heldout_compare_model", other.name() + "@" + other.version());
                        recipe.put("heldout_compare_mae_scaled", e[0]);
                    }
                }
                o.printf("80%% conformal interval coverage on the held-out tail: %.3f%n", ev.coverage80);
                String version = nextVersion(out.resolve(name));
                Path dir = out.resolve(name).resolve(version);
                Files.createDirectories(dir);
                CalfArtifact.write(dir, p, wordEmbedding, channels, res);
                recipe.put("channels", channels);
                recipe.put("inputs", inputs.stream().map(Path::toString).toList());
                recipe.put("epochs", epochs);
                recipe.put("batch", b);
                recipe.put("lr", lr);
                Map<String, Object> lossRecipe = new LinkedHashMap<>();
                lossRecipe.put("task", taskLoss);
                lossRecipe.put("output", outputLoss);
                lossRecipe.put("feature", featureLoss);
                lossRecipe.put("task_w", taskW);
                lossRecipe.put("output_w", outputW);
                lossRecipe.put("feature_w", featureW);
                recipe.put("loss", lossRecipe);
                recipe.put("seed", seed);
                recipe.put("epoch_losses", losses);
                recipe.put("heldout_mae_scaled", ev.mae);
                recipe.put("heldout_seasonal_naive_mae_scaled", ev.naiveMae);
                recipe.put("heldout_coverage80", ev.coverage80);
                Manifest.of(dir, name, version, "calf", recipe, CalfArtifact.CONFIG, CalfArtifact.MODEL,
                        CalfArtifact.WORD_EMBEDDING, CalfArtifact.CALIBRATION).write(dir);
                o.printf("wrote %s%n", dir);
            }
        }
        o.flush();
        return 0;
    }

    /** CALF's cmLoss as the options give it; a kind or weight it does not have is a usage error. */
    CmLoss loss() {
        try {
            return new CmLoss(CmLoss.Kind.parse(taskLoss), CmLoss.Kind.parse(outputLoss),
                    CmLoss.Kind.parse(featureLoss), taskW, outputW, featureW);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * The channel of each --input file: {@code --channels}, else the file name without .csv. Their
     * number must match and every name must be distinct: a model routes and forecasts a channel by its
     * name, and two channels of one name would make its channel list ambiguous.
     */
    List<String> channelNames() {
        if (channelKeys != null && channelKeys.size() != inputs.size()) {
            throw new ParameterException(spec.commandLine(), String.format(
                    "--channels names %d series, --input has %d files", channelKeys.size(), inputs.size()));
        }
        List<String> names = new ArrayList<>();
        Map<String, Path> seen = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            String name = channelKeys != null ? channelKeys.get(i) : channelName(inputs.get(i));
            if (name.isBlank()) {
                throw new ParameterException(spec.commandLine(), String.format("channel %d of %d has an empty name (%s)",
                        i + 1, inputs.size(), channelKeys != null ? "--channels " + String.join(",", channelKeys)
                                : "--input " + inputs.get(i)));
            }
            Path earlier = seen.putIfAbsent(name, inputs.get(i));
            if (earlier != null) {
                throw new ParameterException(spec.commandLine(), channelKeys != null
                        ? String.format("--channels names '%s' twice; every channel needs its own name", name)
                        : String.format("--input %s and %s are both channel '%s' (the file name); every channel "
                                + "needs its own name: give --channels", earlier, inputs.get(i), name));
            }
            names.add(name);
        }
        return names;
    }

    /** The default channel name of an input file: its name without .csv. */
    static String channelName(Path file) {
        return file.getFileName().toString().replaceFirst("\\.csv$", "");
    }

    /** Inner join of the CSVs on timestamps; one column per file, in the order of {@code files}. */
    static float[][] join(List<Path> files) throws Exception {
        List<CsvSeries> series = new ArrayList<>();
        TreeSet<Long> common = null;
        for (Path f : files) {
            CsvSeries s = CsvSeries.read(f);
            requireFinite(s);
            series.add(s);
            TreeSet<Long> ts = new TreeSet<>();
            Arrays.stream(s.timestamps()).forEach(ts::add);
            if (common == null) {
                common = ts;
            } else {
                common.retainAll(ts);
            }
        }
        List<Long> times = new ArrayList<>(common);
        float[][] cols = new float[files.size()][times.size()];
        for (int c = 0; c < series.size(); c++) {
            Map<Long, Double> byTime = new LinkedHashMap<>();
            CsvSeries s = series.get(c);
            for (int i = 0; i < s.size(); i++) {
                byTime.putIfAbsent(s.timestamps()[i], s.values()[i]);
            }
            for (int i = 0; i < times.size(); i++) {
                cols[c][i] = byTime.get(times.get(i)).floatValue();
            }
        }
        return cols;
    }

    /**
     * Every value of a training file must be a number the model can compute with: a missing value
     * (empty, NaN) or one beyond the 32-bit float range would make the loss NaN.
     */
    static void requireFinite(CsvSeries s) throws IOException {
        for (int i = 0; i < s.size(); i++) {
            double v = s.values()[i];
            if (!MetricPointCodec.inFloatRange(v)) { // the job's NON_FINITE rule
                throw new IOException(String.format(
                        "%s: data row %d (timestamp %s) has value %s; train-calf needs a finite value within the 32-bit "
                                + "float range on every row (fill or drop missing rows)",
                        s.file(), i + 1, s.rawTimestamps().get(i), Double.isNaN(v) ? "NaN or empty" : Double.toString(v)));
            }
        }
    }

    private static ConformalResiduals calibrate(CalfModel model, CalfWindows w, int from, int to, int m) {
        int n = w.count(from, to);
        int lx = w.seqLen() * m;
        int ly = w.predLen() * m;
        float[] res = new float[n * ly];
        float[] x = new float[lx];
        float[] y = new float[ly];
        for (int i = 0; i < n; i++) {
            w.x(from + i, x, 0);
            w.y(from + i, y, 0);
            float[] f = model.predict(x, 1, m);
            for (int k = 0; k < ly; k++) {
                res[i * ly + k] = y[k] - f[k];
            }
        }
        return ConformalResiduals.fromResiduals(res, n, w.predLen(), m);
    }

    record Evaluation(int windows, double mae, double mse, double naiveMae, double naiveMse, double coverage80) {}

    private static Evaluation evaluate(CalfModel model, CalfWindows w, ConformalResiduals res, int from, int to, int m,
            double[] std, List<String> channels) {
        int n = w.count(from, to);
        int lx = w.seqLen() * m;
        int h = w.predLen();
        float[] x = new float[lx];
        float[] y = new float[h * m];
        SeasonalNaiveForecaster naive = new SeasonalNaiveForecaster();
        int lo = QuantileGrid.indexOf(0.1);
        int hi = QuantileGrid.indexOf(0.9);
        double mae = 0, mse = 0, nMae = 0, nMse = 0, covered = 0;
        long count = 0;
        boolean[] obs = new boolean[w.seqLen()];
        Arrays.fill(obs, true);
        for (int i = 0; i < n; i += h) { // non-overlapping targets
            w.x(from + i, x, 0);
            w.y(from + i, y, 0);
            float[] f = model.predict(x, 1, m);
            for (int c = 0; c < m; c++) {
                float[] ctx = new float[w.seqLen()];
                for (int s = 0; s < w.seqLen(); s++) {
                    ctx[s] = x[s * m + c];
                }
                float[] nf = naive.forecast(new ForecastRequest(channels.get(c), 0L, ctx, obs), h).mean();
                for (int s = 0; s < h; s++) {
                    double truth = y[s * m + c];
                    double e = (truth - f[s * m + c]) / std[c];
                    double ne = (truth - nf[s]) / std[c];
                    mae += Math.abs(e);
                    mse += e * e;
                    nMae += Math.abs(ne);
                    nMse += ne * ne;
                    double l = f[s * m + c] + res.offset(c, s, lo);
                    double u = f[s * m + c] + res.offset(c, s, hi);
                    covered += truth >= l && truth <= u ? 1 : 0;
                    count++;
                }
            }
        }
        return new Evaluation((n + h - 1) / h, mae / count, mse / count, nMae / count, nMse / count, covered / count);
    }

    /** Context the comparison model gets: what the job gives it by default. */
    static final int OTHER_CONTEXT = 512;

    /**
     * MAE and MSE (scaled units) of a single-series model on the same non-overlapping held-out
     * targets as {@link #evaluate}, each channel forecast from up to {@link #OTHER_CONTEXT} points
     * before the target (a multiple of the model's patch size).
     */
    private double[] evaluateOther(Forecaster f, float[] raw, int t, int m, int testFrom, double[] std,
            List<String> channels) {
        double mae = 0, mse = 0;
        long count = 0;
        for (int start = testFrom; start + predLen <= t; start += predLen) {
            int len = Math.min(OTHER_CONTEXT, start) / f.patchSize() * f.patchSize();
            if (len == 0) {
                continue;
            }
            List<ForecastRequest> batch = new ArrayList<>();
            for (int c = 0; c < m; c++) {
                float[] ctx = new float[len];
                for (int s = 0; s < len; s++) {
                    ctx[s] = raw[(start - len + s) * m + c];
                }
                boolean[] obs = new boolean[len];
                Arrays.fill(obs, true);
                batch.add(new ForecastRequest(channels.get(c), 0L, ctx, obs));
            }
            List<QuantileForecast> out = f.forecast(batch, predLen);
            for (int c = 0; c < m; c++) {
                for (int s = 0; s < predLen; s++) {
                    double e = (raw[(start + s) * m + c] - out.get(c).mean()[s]) / std[c];
                    mae += Math.abs(e);
                    mse += e * e;
                    count++;
                }
            }
        }
        return new double[] {mae / count, mse / count};
    }

    private static String nextVersion(Path dir) throws Exception {
        int max = 0;
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    String f = p.getFileName().toString();
                    if (f.matches("\\d+")) {
                        max = Math.max(max, Integer.parseInt(f));
                    }
                }
            }
        }
        return Integer.toString(max + 1);
    }
}
