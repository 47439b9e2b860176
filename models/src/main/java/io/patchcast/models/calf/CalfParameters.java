package io.patchcast.models.calf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.patchcast.models.io.ModelFormatException;
import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.TensorInfo;
import io.patchcast.models.module.WeightLoader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tensors of CALF {@code models/CALF.py::Model} by canonical name, in their checkpoint
 * orientation (nn.Linear / MultiheadAttention {@code (out, in)}, GPT-2 Conv1D {@code (in, out)}).
 *
 * <p>Canonical names are the plain state_dict names of a model without peft wrapping (spec §8, "LoRA
 * off" / merged layout): {@code gpt2.h.0.attn.c_attn.weight}. Checkpoint keys are normalised on load:
 * a DataParallel {@code module.} prefix is dropped, peft's {@code gpt2.base_model.model.} becomes
 * {@code gpt2.}, {@code c_attn.base_layer.} becomes {@code c_attn.}, and {@code
 * lora_A.default.weight} / {@code lora_B.default.weight} become {@code lora_A} / {@code lora_B}.
 * GPT-2 backbone tensors absent from the CALF checkpoint can come from a Hugging Face {@code gpt2}
 * safetensors file ({@code wte.weight}, {@code h.0.ln_1.weight}, ..., optionally under {@code
 * transformer.}), copied into both branches and truncated to {@code gpt_layers} blocks.
 *
 * <p>The text branch ({@code gpt2_text.*}, {@code in_layer.cross_attention.*}, {@code text_proj.*},
 * {@code time_proj.*}) is optional: the forecast does not depend on it (spec §3.7).
 */
public final class CalfParameters implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CalfParameters.class);

    static final String ENC = "in_layer.transformer_encoder.layers.0.";
    static final String CROSS = "in_layer.cross_attention.";

    private final CalfConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> tensors;
    private boolean lora;
    private final boolean textBranch;

    private CalfParameters(
            CalfConfig config,
            NDManager manager,
            Map<String, NDArray> tensors,
            boolean lora,
            boolean textBranch) {
        this.config = config;
        this.manager = manager;
        this.tensors = tensors;
        this.lora = lora;
        this.textBranch = textBranch;
    }

    /** Canonical name of a CALF checkpoint key (see class Javadoc). */
    public static String canonical(String key) {
        String k = key.startsWith("module.") ? key.substring("module.".length()) : key;
        if (k.startsWith("gpt2.base_model.model.")) {
            k = "gpt2." + k.substring("gpt2.base_model.model.".length());
        }
        k = k.replace(".c_attn.base_layer.", ".c_attn.");
        k = k.replace(".lora_A.default.weight", ".lora_A");
        k = k.replace(".lora_B.default.weight", ".lora_B");
        return k;
    }

    /** The peft state_dict name CALF's training code uses for a canonical name with LoRA on. */
    public static String peftName(String canonical) {
        if (!canonical.startsWith("gpt2.")) {
            return canonical;
        }
        String k = "gpt2.base_model.model." + canonical.substring("gpt2.".length());
        if (k.endsWith(".lora_A") || k.endsWith(".lora_B")) {
            return k + ".default.weight";
        }
        return k.replace(".c_attn.weight", ".c_attn.base_layer.weight")
                .replace(".c_attn.bias", ".c_attn.base_layer.bias");
    }

    /**
     * Loads a CALF checkpoint (merged, unmerged/peft or LoRA-off layout); {@code gpt2} (nullable) is
     * a Hugging Face GPT-2 safetensors file supplying backbone tensors the checkpoint lacks. The
     * tensors live in {@code manager}, which the parameters own from then on ({@link #close()}).
     */
    public static CalfParameters load(CalfConfig config, Path checkpoint, Path gpt2, NDManager manager)
            throws IOException {
        Map<String, Source> sources = new LinkedHashMap<>();
        List<SafetensorsReader> readers = new ArrayList<>();
        try {
            SafetensorsReader main = SafetensorsReader.open(checkpoint);
            readers.add(main);
            for (String key : main.tensors().keySet()) {
                sources.put(canonical(key), new Source(main, key));
            }
            if (gpt2 != null) {
                SafetensorsReader hf = SafetensorsReader.open(gpt2);
                readers.add(hf);
                for (String key : hf.tensors().keySet()) {
                    String k = key.startsWith("transformer.") ? key.substring(12) : key;
                    for (String branch : List.of("gpt2.", "gpt2_text.")) {
                        sources.putIfAbsent(branch + k, new Source(hf, key));
                    }
                }
            }
            return fromSources(config, sources, manager);
        } finally {
            for (SafetensorsReader r : readers) {
                r.close();
            }
        }
    }

    private record Source(SafetensorsReader reader, String key) {}

    private static CalfParameters fromSources(
            CalfConfig c, Map<String, Source> sources, NDManager manager) throws IOException {
        Map<String, long[]> required = new LinkedHashMap<>(timeBranchShapes(c));
        boolean lora = sources.containsKey("gpt2.h.0.attn.c_attn.lora_A");
        if (lora) {
            required.putAll(loraShapes(c));
        }
        Map<String, long[]> text = textBranchShapes(c);
        long textPresent = text.keySet().stream().filter(sources::containsKey).count();
        boolean textBranch = textPresent == text.size();
        if (textPresent > 0 && !textBranch) {
            List<String> missing =
                    text.keySet().stream().filter(k -> !sources.containsKey(k)).toList();
            throw new ModelFormatException(
                    String.format(
                            "text branch incomplete: %d of %d tensors present, missing %s",
                            textPresent, text.size(), missing));
        }
        if (textBranch) {
            required.putAll(text);
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        Set<String> used = new TreeSet<>();
        for (Map.Entry<String, long[]> e : required.entrySet()) {
            Source s = sources.get(e.getKey());
            if (s == null) {
                throw new ModelFormatException(
                        String.format(
                                "missing tensor '%s' (checkpoint key '%s' or '%s'; GPT-2 backbone"
                                        + " tensors may come from a Hugging Face gpt2 file)",
                                e.getKey(), e.getKey(), peftName(e.getKey())));
            }
            TensorInfo info = s.reader().info(s.key());
            if (!info.hasShape(e.getValue())) {
                throw new ModelFormatException(
                        String.format(
                                "%s: tensor '%s' has shape %s, expected %s (from config: d_model %d,"
                                        + " seq_len %d, pred_len %d, n_positions %d)",
                                s.reader().file(),
                                s.key(),
                                info.shapeString(),
                                Arrays.toString(e.getValue()),
                                c.dModel(),
                                c.seqLen(),
                                c.predLen(),
                                c.nPositions()));
            }
            used.add(s.reader().file() + ":" + s.key());
            tensors.put(e.getKey(), store(manager, e.getKey(), s.reader().floats(s.key()), e.getValue()));
        }
        Set<String> unused = new TreeSet<>();
        for (Source s : sources.values()) {
            String id = s.reader().file() + ":" + s.key();
            if (!used.contains(id) && !ignorable(s.key())) {
                unused.add(s.key());
            }
        }
        if (!unused.isEmpty()) {
            LOG.warn("{} checkpoint tensors not used by CALF: {}", unused.size(), unused);
        }
        return new CalfParameters(c, manager, tensors, lora, textBranch);
    }

    /**
     * nn.Linear, MultiheadAttention and LoRA matrices are kept transposed, {@code (in, out)}, so a
     * forward computes {@code x.matMul(w)} with the activation first (CONVENTIONS §5); GPT-2 Conv1D
     * weights are {@code (in, out)} already.
     */
    static boolean storedTransposed(String canonical, long[] shape) {
        if (shape.length != 2) {
            return false;
        }
        return !canonical.startsWith("gpt2") || canonical.endsWith(".lora_A") || canonical.endsWith(".lora_B");
    }

    private static NDArray store(NDManager m, String name, float[] v, long[] shape) {
        if (storedTransposed(name, shape)) {
            return m.create(
                    WeightLoader.transpose(v, (int) shape[0], (int) shape[1]),
                    new Shape(shape[1], shape[0]));
        }
        return m.create(v, new Shape(shape));
    }

    /** {@code values} of a tensor stored as {@code name} with {@code shape}, in checkpoint orientation. */
    public static float[] checkpointOrientation(String name, Shape shape, float[] values) {
        long[] s = shape.getShape();
        if (s.length == 2 && storedTransposed(name, s)) {
            return WeightLoader.transpose(values, (int) s[0], (int) s[1]);
        }
        return values;
    }

    /** Shape in checkpoint orientation. */
    public long[] checkpointShape(String name) {
        long[] s = get(name).getShape().getShape();
        return s.length == 2 && storedTransposed(name, s) ? new long[] {s[1], s[0]} : s;
    }

    /** Values of {@code name} in checkpoint orientation. */
    public float[] values(String name) {
        NDArray a = get(name);
        return checkpointOrientation(name, a.getShape(), a.toFloatArray());
    }

    /** Tensors CALF keeps but never reads (wte), masks of old transformers, blocks past gpt_layers. */
    private static boolean ignorable(String key) {
        return key.endsWith("wte.weight")
                || key.endsWith(".attn.bias")
                || key.endsWith(".attn.masked_bias")
                || key.matches("(.*\\.)?h\\.\\d+\\..*");
    }

    /** Builds parameters from canonical names and values (random initialisation, tests). */
    public static CalfParameters of(
            CalfConfig c, Map<String, float[]> values, NDManager manager) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>(timeBranchShapes(c));
        shapes.putAll(loraShapes(c));
        shapes.putAll(textBranchShapes(c));
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            float[] v = values.get(e.getKey());
            if (v == null) {
                throw new ModelFormatException("missing tensor '" + e.getKey() + "'");
            }
            tensors.put(e.getKey(), store(manager, e.getKey(), v, e.getValue()));
        }
        return new CalfParameters(c, manager, tensors, true, true);
    }

    static Map<String, long[]> timeBranchShapes(CalfConfig c) {
        long d = c.dModel();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("in_layer.linear.weight", new long[] {d, c.seqLen()});
        m.put("in_layer.linear.bias", new long[] {d});
        m.put(ENC + "self_attn.in_proj_weight", new long[] {3 * d, d});
        m.put(ENC + "self_attn.in_proj_bias", new long[] {3 * d});
        m.put(ENC + "self_attn.out_proj.weight", new long[] {d, d});
        m.put(ENC + "self_attn.out_proj.bias", new long[] {d});
        m.put(ENC + "linear1.weight", new long[] {c.dimFeedforward(), d});
        m.put(ENC + "linear1.bias", new long[] {c.dimFeedforward()});
        m.put(ENC + "linear2.weight", new long[] {d, c.dimFeedforward()});
        m.put(ENC + "linear2.bias", new long[] {d});
        for (String n : List.of("norm1", "norm2")) {
            m.put(ENC + n + ".weight", new long[] {d});
            m.put(ENC + n + ".bias", new long[] {d});
        }
        m.putAll(gpt2Shapes(c, "gpt2."));
        m.put("out_layer.weight", new long[] {c.predLen(), d});
        m.put("out_layer.bias", new long[] {c.predLen()});
        return m;
    }

    static Map<String, long[]> loraShapes(CalfConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (int i = 0; i < c.gptLayers(); i++) {
            String p = "gpt2.h." + i + ".attn.c_attn.";
            m.put(p + "lora_A", new long[] {c.loraR(), c.dModel()});
            m.put(p + "lora_B", new long[] {3L * c.dModel(), c.loraR()});
        }
        return m;
    }

    static Map<String, long[]> textBranchShapes(CalfConfig c) {
        long d = c.dModel();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(CROSS + "in_proj_weight", new long[] {3 * d, d});
        m.put(CROSS + "in_proj_bias", new long[] {3 * d});
        m.put(CROSS + "out_proj.weight", new long[] {d, d});
        m.put(CROSS + "out_proj.bias", new long[] {d});
        m.putAll(gpt2Shapes(c, "gpt2_text."));
        for (int j = 0; j <= c.gptLayers(); j++) {
            m.put("time_proj." + j + ".weight", new long[] {d, d});
            m.put("text_proj." + j + ".weight", new long[] {d, d});
        }
        return m;
    }

    static Map<String, long[]> gpt2Shapes(CalfConfig c, String prefix) {
        long d = c.dModel();
        long inner = c.nInner();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(prefix + "wpe.weight", new long[] {c.nPositions(), d});
        for (int i = 0; i < c.gptLayers(); i++) {
            String p = prefix + "h." + i + ".";
            m.put(p + "ln_1.weight", new long[] {d});
            m.put(p + "ln_1.bias", new long[] {d});
            m.put(p + "attn.c_attn.weight", new long[] {d, 3 * d});
            m.put(p + "attn.c_attn.bias", new long[] {3 * d});
            m.put(p + "attn.c_proj.weight", new long[] {d, d});
            m.put(p + "attn.c_proj.bias", new long[] {d});
            m.put(p + "ln_2.weight", new long[] {d});
            m.put(p + "ln_2.bias", new long[] {d});
            m.put(p + "mlp.c_fc.weight", new long[] {d, inner});
            m.put(p + "mlp.c_fc.bias", new long[] {inner});
            m.put(p + "mlp.c_proj.weight", new long[] {inner, d});
            m.put(p + "mlp.c_proj.bias", new long[] {d});
        }
        m.put(prefix + "ln_f.weight", new long[] {d});
        m.put(prefix + "ln_f.bias", new long[] {d});
        return m;
    }

    /**
     * peft {@code merge_and_unload}: folds every LoRA pair into its c_attn weight, W' = W +
     * (alpha/r) (B A)^T in Conv1D (in, out) layout, and drops A and B, so inference runs one matmul
     * per block. Returns false when there was nothing to merge. Not for a model being trained.
     */
    public boolean mergeLora() {
        if (!lora) {
            return false;
        }
        for (int i = 0; i < config.gptLayers(); i++) {
            String pre = "gpt2.h." + i + ".attn.c_attn.";
            NDArray a = tensors.remove(pre + "lora_A"); // (D, r) = A^T
            NDArray b = tensors.remove(pre + "lora_B"); // (r, 3D) = B^T
            NDArray w = tensors.get(pre + "weight"); // (D, 3D)
            // A^T B^T = (B A)^T, already (in, out)
            NDArray merged = w.add(a.matMul(b).mul(config.loraScaling()));
            w.close();
            a.close();
            b.close();
            tensors.put(pre + "weight", merged);
        }
        lora = false;
        return true;
    }

    /** models/CALF.py::Model.__init__: which tensors CALF trains (spec §4). */
    public static boolean trainable(String canonical) {
        if (canonical.startsWith("gpt2.")) {
            return canonical.contains("ln") || canonical.contains("wpe") || canonical.contains("lora");
        }
        if (canonical.startsWith("gpt2_text.")) {
            return canonical.contains("wpe");
        }
        return true;
    }

    /**
     * exp_long_term_forecasting.py: parameters whose (peft) name contains {@code _proj} go to
     * loss_optim, which also catches MultiheadAttention's in_proj / out_proj (spec §6).
     */
    public static boolean lossOptimGroup(String canonical) {
        return peftName(canonical).contains("_proj");
    }

    public CalfConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    /** The tensor of a canonical name; fails naming it when absent. */
    public NDArray get(String name) {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no CALF tensor '" + name + "'");
        }
        return a;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Canonical names in load order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /** True when the time-branch GPT-2 carries unmerged LoRA A/B. */
    public boolean lora() {
        return lora;
    }

    /** True when the cross-attention, text GPT-2 and feature projections are loaded. */
    public boolean textBranch() {
        return textBranch;
    }

    @Override
    public void close() {
        manager.close();
    }
}
