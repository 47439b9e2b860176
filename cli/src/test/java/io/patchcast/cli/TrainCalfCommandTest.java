package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import io.patchcast.models.calf.CalfArtifact;
import io.patchcast.models.calf.CalfForecaster;
import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.store.ModelArtifact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three small trainings, a few seconds in all on 2 cores. */
@Tag("slow")
class TrainCalfCommandTest {

    static final int ROWS = 480;

    @TempDir
    Path tmp;

    /** Two channels on a 5-minute timeline, daily-like period 24, the second shifted. */
    private List<Path> csvs() throws Exception {
        List<Path> out = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            StringBuilder sb = new StringBuilder("timestamp,value\n");
            for (int i = 0; i < ROWS; i++) {
                double v = 10 + 3 * Math.sin(2 * Math.PI * (i + 6 * c) / 24) + 0.1 * ((i * 7919 + c) % 13 - 6);
                sb.append(Instant.ofEpochSecond(1_400_000_000L + 300L * i)).append(',').append(v).append('\n');
            }
            Path f = tmp.resolve("host_metric" + c + ".csv");
            Files.writeString(f, sb.toString());
            out.add(f);
        }
        return out;
    }

    private ScoreCommandTest.Out train(List<Path> in, Path store) {
        return ScoreCommandTest.run("train-calf", "--input", in.get(0).toString(), in.get(1).toString(),
                "--out", store.toString(), "--seq-len", "48", "--pred-len", "8", "--d-model", "24",
                "--gpt-layers", "1", "--n-pca", "8", "--epochs", "1", "--batch", "16");
    }

    @Test
    void trainsAVerifiableReproducibleArtifactThatForecastsTheGroup() throws Exception {
        List<Path> in = csvs();
        Path store = tmp.resolve("store");
        ScoreCommandTest.Out r = train(in, store);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("epoch 1: mean total loss", "seasonal naive MAE", "conformal interval coverage",
                "wrote").containsPattern("held-out tail, [a-z-]+@[^ ]+ with up to 512 points of context: MAE [0-9.]+");
        Path v1 = store.resolve("calf/1");
        ModelArtifact artifact = ModelArtifact.verify(v1);
        assertThat(artifact.manifest().type()).isEqualTo("calf");
        assertThat(artifact.manifest().files()).containsKeys(CalfArtifact.MODEL, CalfArtifact.WORD_EMBEDDING,
                CalfArtifact.CALIBRATION, CalfArtifact.CONFIG);

        // same inputs and seed: a second version with the same weights up to float rounding. Not
        // bit-identical: within one long-lived JVM, libtorch's MKL kernels may round differently
        // depending on how earlier work left memory aligned (seen in the full suite, not alone).
        ScoreCommandTest.Out r2 = train(in, store);
        assertThat(r2.code()).as(r2.out() + r2.err()).isZero();
        ModelArtifact.verify(store.resolve("calf/2"));
        try (SafetensorsReader a = SafetensorsReader.open(v1.resolve(CalfArtifact.MODEL));
                SafetensorsReader b = SafetensorsReader.open(store.resolve("calf/2").resolve(CalfArtifact.MODEL))) {
            assertThat(b.tensors().keySet()).isEqualTo(a.tensors().keySet());
            for (String k : a.tensors().keySet()) {
                float[] x = a.floats(k);
                float[] y = b.floats(k);
                for (int i = 0; i < x.length; i++) {
                    assertThat(y[i]).as("%s[%d]", k, i).isCloseTo(x[i], within(1e-3f));
                }
            }
        }

        try (NDManager root = NDManager.newBaseManager();
                CalfForecaster f = CalfArtifact.load(v1, "calf", "1", root.newSubManager())) {
            assertThat(f.channels()).containsExactly("host_metric0", "host_metric1");
            List<ForecastRequest> group = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                List<String> lines = Files.readAllLines(in.get(c));
                float[] ctx = new float[48];
                for (int i = 0; i < 48; i++) {
                    ctx[i] = Float.parseFloat(lines.get(1 + ROWS - 48 + i).split(",")[1]);
                }
                boolean[] obs = new boolean[48];
                Arrays.fill(obs, true);
                group.add(new ForecastRequest(f.channels().get(c), 0L, ctx, obs));
            }
            List<QuantileForecast> out = f.forecast(group, 8);
            int lo = QuantileGrid.indexOf(0.1);
            int hi = QuantileGrid.indexOf(0.9);
            for (QuantileForecast q : out) {
                for (int h = 0; h < 8; h++) {
                    assertThat(q.mean()[h]).isBetween(0f, 20f);
                    float l = q.quantiles()[h * QuantileGrid.size() + lo];
                    float u = q.quantiles()[h * QuantileGrid.size() + hi];
                    assertThat(u).isGreaterThan(l);
                }
            }
        }
    }

    @Test
    void startsFromHuggingFaceGpt2AndKeepsItsFrozenWeights() throws Exception {
        // the calf fixtures' stand-in for HF 'gpt2' (d 96, 4 heads, 3 blocks, vocab 1000)
        Path fx = VerifyCalfCommandTest.FIXTURES;
        List<Path> in = csvs();
        Path store = tmp.resolve("store");
        ScoreCommandTest.Out r = ScoreCommandTest.run("train-calf", "--input", in.get(0).toString(),
                in.get(1).toString(), "--out", store.toString(), "--seq-len", "48", "--pred-len", "8",
                "--gpt2", fx.resolve("gpt2_pretrained.safetensors").toString(), "--gpt2-heads", "4",
                "--gpt-layers", "2", "--n-pca", "50", "--epochs", "1", "--batch", "16");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        Path dir = store.resolve("calf/1");
        try (SafetensorsReader gpt2 = SafetensorsReader.open(fx.resolve("gpt2_pretrained.safetensors"));
                SafetensorsReader model = SafetensorsReader.open(dir.resolve(CalfArtifact.MODEL));
                SafetensorsReader we = SafetensorsReader.open(dir.resolve(CalfArtifact.WORD_EMBEDDING));
                SafetensorsReader fxWe = SafetensorsReader.open(fx.resolve("word_embedding.safetensors"))) {
            // frozen in both branches (spec section 4): unchanged by training
            for (String k : List.of("h.0.attn.c_attn.weight", "h.1.mlp.c_fc.weight", "h.1.attn.c_proj.bias")) {
                assertThat(model.floats("gpt2." + k)).as(k).containsExactly(gpt2.floats(k));
                assertThat(model.floats("gpt2_text." + k)).as(k).containsExactly(gpt2.floats(k));
            }
            assertThat(model.floats("gpt2_text.h.0.ln_1.weight")).containsExactly(gpt2.floats("h.0.ln_1.weight"));
            // trainable: moved
            assertThat(model.floats("gpt2.h.0.ln_1.weight")).isNotEqualTo(gpt2.floats("h.0.ln_1.weight"));
            assertThat(model.floats("gpt2_text.wpe.weight")).isNotEqualTo(gpt2.floats("wpe.weight"));
            assertThat(model.contains("gpt2.h.2.ln_1.weight")).isFalse();
            // the principal word embeddings of that wte, as the reference computed them
            float[] expected = fxWe.floats("word_embedding");
            float[] actual = we.floats("word_embedding");
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-4f));
            }
        }
    }

    @Test
    void aValueThatIsNotFiniteFailsNamingFileAndTimestamp() throws Exception {
        List<Path> in = csvs();
        for (String bad : List.of("", "NaN", "1e39")) {
            List<String> lines = new ArrayList<>(Files.readAllLines(in.get(1)));
            String ts = lines.get(101).split(",")[0];
            lines.set(101, ts + "," + bad);
            Files.write(in.get(1), lines);
            Path store = tmp.resolve("store");
            ScoreCommandTest.Out r = train(in, store);
            assertThat(r.code()).as(bad).isEqualTo(1);
            assertThat(r.err()).as(bad).startsWith("patchcast train-calf: " + in.get(1) + ": data row 101 (timestamp "
                    + ts + ") has value ").contains("needs a finite value");
            assertThat(store).doesNotExist();
        }
    }

    @Test
    void divergedTrainingWritesNothing() throws Exception {
        List<Path> in = csvs();
        Path store = tmp.resolve("store");
        ScoreCommandTest.Out r = ScoreCommandTest.run("train-calf", "--input", in.get(0).toString(),
                in.get(1).toString(), "--out", store.toString(), "--seq-len", "48", "--pred-len", "8", "--d-model", "24",
                "--gpt-layers", "1", "--n-pca", "8", "--epochs", "1", "--batch", "16", "--lr", "1e30",
                "--compare-model", "none");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("patchcast train-calf: training diverged: the last epoch's mean loss is NaN");
        assertThat(store).doesNotExist();
    }

    @Test
    void trainsWithCalfsOtherLossesAndWeightsAndRecordsThem() throws Exception {
        List<Path> in = csvs();
        String[] common = {"train-calf", "--input", in.get(0).toString(), in.get(1).toString(),
            "--seq-len", "48", "--pred-len", "8", "--d-model", "24", "--gpt-layers", "1",
            "--n-pca", "8", "--epochs", "1", "--batch", "16", "--compare-model", "none", "--out"};
        ScoreCommandTest.Out plain =
                ScoreCommandTest.run(concat(common, tmp.resolve("a").toString()));
        ScoreCommandTest.Out other = ScoreCommandTest.run(concat(common,
                tmp.resolve("b").toString(),
                "--task-loss", "smooth_l1", "--output-loss", "mse", "--feature-loss", "l1",
                "--output-w", "0.5", "--feature-w", "0.1"));
        assertThat(plain.code()).as(plain.out() + plain.err()).isZero();
        assertThat(other.code()).as(other.out() + other.err()).isZero();
        // the same data, seed and weights: only the loss differs, so the reported loss must too
        assertThat(epochLoss(other.out())).isNotCloseTo(epochLoss(plain.out()), within(1e-4));
        Map<String, Object> recorded = Map.of("task", "smooth_l1", "output", "mse", "feature", "l1",
                "task_w", 1.0, "output_w", 0.5, "feature_w", 0.1);
        assertThat(ModelArtifact.verify(tmp.resolve("b/calf/1")).manifest().recipe().get("loss"))
                .isEqualTo(recorded);
        assertThat(ModelArtifact.verify(tmp.resolve("a/calf/1")).manifest().recipe().get("loss"))
                .isEqualTo(Map.of("task", "l1", "output", "l1", "feature", "l1",
                        "task_w", 1.0, "output_w", 1.0, "feature_w", 0.01));
    }

    @Test
    void aLossCalfDoesNotHaveIsAUsageError() throws Exception {
        List<Path> in = csvs();
        Path store = tmp.resolve("store");
        ScoreCommandTest.Out r = ScoreCommandTest.run("train-calf", "--input", in.get(0).toString(),
                in.get(1).toString(), "--out", store.toString(), "--task-loss", "mase");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("loss 'mase' is not one of l1, smooth_l1, mse");
        r = ScoreCommandTest.run("train-calf", "--input", in.get(0).toString(),
                in.get(1).toString(), "--out", store.toString(), "--feature-w", "-1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("loss weights must be >= 0");
        assertThat(store).doesNotExist();
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static double epochLoss(String out) {
        Matcher m = Pattern.compile("epoch 1: mean total loss ([0-9.]+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
