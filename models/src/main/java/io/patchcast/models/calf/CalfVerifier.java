package io.patchcast.models.calf;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.SafetensorsWriter;
import io.patchcast.models.io.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks the Java CALF against a folder in the layout of the project's calf fixtures
 * (calf-fixtures.py, README.txt there): forward tensors with merged and unmerged LoRA, a batch of
 * one, the backbone from a Hugging Face gpt2 file, the principal word embeddings, and one training
 * step (losses, gradients, parameters after both Adam steps).
 */
public final class CalfVerifier {

    /** Forward tensors, absolute (fixtures README: forward |diff| <= 1e-4). */
    public static final double FORWARD_TOL = 1e-4;

    /** Gradients, relative to max(1, max|reference|) (fixtures README: relative <= 1e-3). */
    public static final double GRADIENT_TOL = 1e-3;

    /** Scalar losses, absolute. */
    public static final double LOSS_TOL = 1e-4;

    /**
     * Parameters after one Adam step, absolute. The first step moves an entry by lr * g / (|g| +
     * 1e-8), so it is only as exact as the gradient where |g| is near 1e-8; the end-to-end check
     * therefore covers entries with |reference g| >= {@link #CONDITIONED_GRAD}, and the Adam rule
     * and the optimiser split are checked on all entries from the fixture's own gradients.
     */
    public static final double PARAM_AFTER_TOL = 1e-6;

    /**
     * Smallest |gradient| whose Adam step is compared end to end: below it float noise (e.g. the
     * exactly-zero key-bias gradients of softmax attention, computed as +-1e-10) decides the sign.
     */
    public static final double CONDITIONED_GRAD = 1e-6;

    /** Principal word embeddings, relative to max(1, max|reference|). */
    public static final double PCA_TOL = 1e-4;

    private static final List<String> BACKBONE_PREFIXES = List.of("gpt2.", "gpt2_text.");

    private CalfVerifier() {}

    /** All checks, in order; {@link #pass(List)} tells whether every one passed. */
    public static List<CalfCheck> verify(Path dir, Device device) throws IOException {
        CalfConfig config = CalfConfig.read(dir.resolve("config.json"));
        List<CalfCheck> checks = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(device);
                SafetensorsReader inf = SafetensorsReader.open(dir.resolve("inference.safetensors"));
                SafetensorsReader we = SafetensorsReader.open(dir.resolve("word_embedding.safetensors"))) {
            float[] wordEmbedding = we.floats("word_embedding");
            float[] merged = forwardChecks(checks, "forward merged LoRA", config,
                    dir.resolve("model.safetensors"), null, inf, wordEmbedding, root);
            float[] unmerged = forwardChecks(checks, "forward unmerged LoRA", config,
                    dir.resolve("model_unmerged.safetensors"), null, inf, wordEmbedding, root);
            CheckAccumulator mv = new CheckAccumulator("merged vs unmerged", FORWARD_TOL, false);
            mv.compare("outputs_time", merged, unmerged);
            checks.add(mv.result());
            Path stripped = Files.createTempFile("calf-no-backbone", ".safetensors");
            try {
                writeWithoutBackbone(dir.resolve("model_unmerged.safetensors"), stripped);
                forwardChecks(checks, "forward HF gpt2 backbone", config, stripped,
                        dir.resolve("gpt2_pretrained.safetensors"), inf, wordEmbedding, root);
            } finally {
                Files.deleteIfExists(stripped);
            }
            batchOfOne(checks, config, dir.resolve("model.safetensors"), inf, root);
            pca(checks, config, dir.resolve("gpt2_pretrained.safetensors"), wordEmbedding, root);
            trainStep(checks, config, dir, wordEmbedding, root);
        }
        return checks;
    }

    public static boolean pass(List<CalfCheck> checks) {
        return !checks.isEmpty() && checks.stream().allMatch(CalfCheck::pass);
    }

    /** Compares every inference tensor the forward produces; returns outputs_time. */
    private static float[] forwardChecks(
            List<CalfCheck> checks,
            String group,
            CalfConfig config,
            Path checkpoint,
            Path gpt2,
            SafetensorsReader inf,
            float[] wordEmbedding,
            NDManager root)
            throws IOException {
        CheckAccumulator acc = new CheckAccumulator(group, FORWARD_TOL, false);
        try (CalfParameters p = CalfParameters.load(config, checkpoint, gpt2, root.newSubManager());
                NDManager call = p.manager().newSubManager()) {
            CalfModel model = new CalfModel(p);
            NDArray x = create(call, inf, "input.x");
            NDArray we = call.create(wordEmbedding, new Shape(config.nPca(), config.dModel()));
            CalfModel.Outputs out = model.forward(x, we);
            for (Map.Entry<String, NDArray> e : out.tensors().entrySet()) {
                if (inf.contains(e.getKey())) {
                    acc.compare(e.getKey(), inf.floats(e.getKey()), e.getValue().toFloatArray());
                }
            }
            checks.add(acc.result());
            return out.outputsTime().toFloatArray();
        }
    }

    private static void batchOfOne(
            List<CalfCheck> checks, CalfConfig config, Path checkpoint, SafetensorsReader inf, NDManager root)
            throws IOException {
        CheckAccumulator acc = new CheckAccumulator("batch of one, time branch", FORWARD_TOL, false);
        try (CalfParameters p = CalfParameters.load(config, checkpoint, null, root.newSubManager());
                NDManager call = p.manager().newSubManager()) {
            NDArray x = create(call, inf, "input.x").get(new NDIndex("0:1"));
            CalfModel.Outputs out = new CalfModel(p).forward(x, null);
            acc.compare("outputs_time_b1", inf.floats("outputs_time_b1"), out.outputsTime().toFloatArray());
        }
        checks.add(acc.result());
    }

    private static void pca(
            List<CalfCheck> checks, CalfConfig config, Path gpt2, float[] expected, NDManager root)
            throws IOException {
        CheckAccumulator acc = new CheckAccumulator("principal word embeddings", PCA_TOL, true);
        try (SafetensorsReader r = SafetensorsReader.open(gpt2)) {
            TensorInfo wte = r.info("wte.weight");
            float[] actual =
                    PrincipalWordEmbeddings.compute(
                            r.floats("wte.weight"),
                            (int) wte.shape()[0],
                            (int) wte.shape()[1],
                            config.nPca(),
                            root);
            acc.compare("word_embedding", expected, actual);
        }
        checks.add(acc.result());
    }

    private static void trainStep(
            List<CalfCheck> checks, CalfConfig config, Path dir, float[] wordEmbedding, NDManager root)
            throws IOException {
        // the step as the fixture ran it: config.json optimizer.* and loss.* (run.py's options)
        Path file = dir.resolve("config.json");
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        double learningRate = json.path("optimizer").path("model_optim_lr").asDouble(Double.NaN);
        if (Double.isNaN(learningRate)) {
            throw new IOException(file + ": missing optimizer.model_optim_lr");
        }
        double lossLearningRate =
                json.path("optimizer").path("loss_optim_lr").asDouble(CalfTrainer.LOSS_OPTIM_LR);
        CmLoss loss = fixtureLoss(json.path("loss"), config.gptLayers(), file);
        try (SafetensorsReader ts = SafetensorsReader.open(dir.resolve("train_step.safetensors"));
                CalfParameters p =
                        CalfParameters.load(
                                config, dir.resolve("model_unmerged.safetensors"), null, root.newSubManager())) {
            CalfTrainer trainer =
                    new CalfTrainer(
                            new CalfModel(p), wordEmbedding, loss, learningRate, lossLearningRate);
            long[] xs = ts.info("batch_x").shape();
            CalfTrainer.StepResult r =
                    trainer.step(ts.floats("batch_x"), ts.floats("batch_y"), (int) xs[0], (int) xs[2]);
            CheckAccumulator losses = new CheckAccumulator("train losses", LOSS_TOL, false);
            losses.compare("loss.task", ts.floats("loss.task"), new float[] {(float) r.task()});
            losses.compare("loss.output", ts.floats("loss.output"), new float[] {(float) r.output()});
            losses.compare("loss.feature", ts.floats("loss.feature"), new float[] {(float) r.feature()});
            losses.compare("loss.total", ts.floats("loss.total"), new float[] {(float) r.total()});
            checks.add(losses.result());
            CheckAccumulator grads = new CheckAccumulator("train gradients", GRADIENT_TOL, true);
            CheckAccumulator after =
                    new CheckAccumulator("train params after step", PARAM_AFTER_TOL, false);
            CheckAccumulator rule =
                    new CheckAccumulator("Adam split on fixture grads", PARAM_AFTER_TOL, false);
            try (SafetensorsReader init = SafetensorsReader.open(dir.resolve("model_unmerged.safetensors"))) {
                for (String name : trainer.trainableNames()) {
                    String key = CalfParameters.peftName(name);
                    float[] g = ts.floats("grad." + key);
                    float[] expectedAfter = ts.floats("param_after." + key);
                    grads.compare(key, g, r.gradients().get(name));
                    float[] actual = p.values(name);
                    after.compare(key, conditioned(expectedAfter, g), conditioned(actual, g));
                    float[] p0 = init.floats(key);
                    double lr =
                            CalfParameters.lossOptimGroup(name) ? lossLearningRate : learningRate;
                    new Adam(p0.length).update(p0, g, lr);
                    rule.compare(key, expectedAfter, p0);
                }
            }
            int expected = (int) ts.tensors().keySet().stream().filter(k -> k.startsWith("grad.")).count();
            if (expected != trainer.trainableNames().size()) {
                throw new IOException(
                        String.format(
                                "%s: %d gradients in the fixture, %d trainable tensors in Java",
                                dir, expected, trainer.trainableNames().size()));
            }
            checks.add(grads.result());
            checks.add(after.result());
            checks.add(rule.result());
        }
    }

    /**
     * The fixture's cmLoss ({@code loss} in config.json: the three loss kinds and weights of CALF's
     * run.py); run.py's defaults where the folder does not say. Its feature-level weights must be
     * CALF's {@code 0.8^k}, the only ones {@link CmLoss} computes.
     */
    static CmLoss fixtureLoss(JsonNode loss, int gptLayers, Path file) throws IOException {
        CmLoss d = CmLoss.defaults();
        if (loss.isMissingNode()) {
            return d;
        }
        CmLoss parsed;
        try {
            parsed = new CmLoss(
                    kind(loss, "task", d.task()),
                    kind(loss, "output", d.output()),
                    kind(loss, "feature", d.feature()),
                    (float) loss.path("task_w").asDouble(d.taskW()),
                    (float) loss.path("output_w").asDouble(d.outputW()),
                    (float) loss.path("feature_w").asDouble(d.featureW()));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": loss: " + e.getMessage(), e);
        }
        JsonNode levels = loss.path("feature_layer_weights");
        if (!levels.isMissingNode()) {
            double w = 1;
            boolean calf = levels.size() == gptLayers + 1;
            for (int k = 0; calf && k < levels.size(); k++, w *= CmLoss.FEATURE_DECAY) {
                calf = Math.abs(levels.get(k).asDouble() - w) <= 1e-6;
            }
            if (!calf) {
                throw new IOException(String.format(
                        "%s: loss.feature_layer_weights %s are not CALF's 0.8^k for k = 0..%d",
                        file, levels, gptLayers));
            }
        }
        return parsed;
    }

    private static CmLoss.Kind kind(JsonNode loss, String field, CmLoss.Kind otherwise) {
        JsonNode v = loss.path(field);
        return v.isMissingNode() ? otherwise : CmLoss.Kind.parse(v.asText());
    }

    /** The entries of {@code values} whose reference gradient is at least CONDITIONED_GRAD. */
    private static float[] conditioned(float[] values, float[] grad) {
        int n = 0;
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            if (Math.abs(grad[i]) >= CONDITIONED_GRAD) {
                out[n++] = values[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Copies a CALF checkpoint without its GPT-2 backbone tensors (LoRA kept). */
    static void writeWithoutBackbone(Path from, Path to) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsReader r = SafetensorsReader.open(from)) {
            for (TensorInfo info : r.tensors().values()) {
                String c = CalfParameters.canonical(info.name());
                boolean backbone = BACKBONE_PREFIXES.stream().anyMatch(c::startsWith) && !c.contains("lora_");
                if (!backbone) {
                    w.putF32(info.name(), r.floats(info.name()), info.shape());
                }
            }
        }
        w.write(to);
    }

    private static NDArray create(NDManager m, SafetensorsReader r, String name) throws IOException {
        return m.create(r.floats(name), new Shape(r.info(name).shape()));
    }
}
