package io.patchcast.models.io;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Hugging Face {@code config.json} of a Moirai-MoE checkpoint: the constructor arguments of
 * uni2ts {@code MoiraiMoEModule} (src/uni2ts/model/moirai_moe/module.py), spec §1.
 *
 * <p>Only what the released checkpoints use is accepted: patch size 16 and the four-component
 * mixture (Student-T, Normal fixed scale, Negative Binomial, Log-Normal) in that order.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MoiraiMoEConfig(
        @JsonProperty("attn_dropout_p") double attnDropoutP,
        @JsonProperty("d_ff") int dFf,
        @JsonProperty("d_model") int dModel,
        @JsonProperty("distr_output") DistrOutput distrOutput,
        @JsonProperty("dropout_p") double dropoutP,
        @JsonProperty("max_seq_len") int maxSeqLen,
        @JsonProperty("num_layers") int numLayers,
        @JsonProperty("patch_sizes") List<Integer> patchSizes,
        @JsonProperty("scaling") boolean scaling) {

    /** uni2ts module/transformer.py TransformerEncoder: {@code num_heads = d_model // 64}. */
    public static final int HEAD_DIM = 64;

    /** The only patch size the released checkpoints (and this port) support; spec §2, §12.23. */
    public static final int PATCH_SIZE = 16;

    static final Set<String> KNOWN_KEYS =
            Set.of(
                    "attn_dropout_p",
                    "d_ff",
                    "d_model",
                    "distr_output",
                    "dropout_p",
                    "max_seq_len",
                    "num_layers",
                    "patch_sizes",
                    "scaling");

    static final List<String> COMPONENT_TARGETS =
            List.of(
                    "uni2ts.distribution.student_t.StudentTOutput",
                    "uni2ts.distribution.normal.NormalFixedScaleOutput",
                    "uni2ts.distribution.negative_binomial.NegativeBinomialOutput",
                    "uni2ts.distribution.log_normal.LogNormalOutput");

    private static final Logger LOG = LoggerFactory.getLogger(MoiraiMoEConfig.class);

    public MoiraiMoEConfig {
        if (dModel <= 0 || dModel % HEAD_DIM != 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "d_model must be a positive multiple of %d (num_heads = d_model // 64),"
                                + " got %d",
                            HEAD_DIM, dModel));
        }
        if (dFf <= 0 || numLayers <= 0 || maxSeqLen <= 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "d_ff (%d), num_layers (%d) and max_seq_len (%d) must be positive",
                            dFf, numLayers, maxSeqLen));
        }
        if (patchSizes == null || !patchSizes.equals(List.of(PATCH_SIZE))) {
            throw new IllegalArgumentException(
                    String.format(
                            "patch_sizes must be [%d] (other sizes give zero embeddings in uni2ts),"
                                + " got %s",
                            PATCH_SIZE, patchSizes));
        }
        if (distrOutput == null) {
            throw new IllegalArgumentException("distr_output is missing");
        }
        patchSizes = List.copyOf(patchSizes);
    }

    public int numHeads() {
        return dModel / HEAD_DIM;
    }

    /** {@code distr_output} of config.json: a MixtureOutput of four component outputs. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DistrOutput(
            @JsonProperty("_target_") String target,
            @JsonProperty("components") List<Component> components) {

        public DistrOutput {
            if (!"uni2ts.distribution.mixture.MixtureOutput".equals(target)) {
                throw new IllegalArgumentException(
                        "distr_output._target_ must be uni2ts.distribution.mixture.MixtureOutput,"
                                + " got "
                                + target);
            }
            List<String> got =
                    components == null
                            ? List.of()
                            : components.stream().map(Component::target).toList();
            if (!got.equals(COMPONENT_TARGETS)) {
                throw new IllegalArgumentException(
                        String.format(
                                "distr_output.components must be %s, got %s",
                                COMPONENT_TARGETS, got));
            }
            Double s = components.get(1).scale();
            if (s == null || !(s > 0)) {
                throw new IllegalArgumentException(
                        "distr_output.components[1] (NormalFixedScaleOutput) needs scale > 0, got "
                                + s);
            }
            components = List.copyOf(components);
        }

        /** Scale of the Normal component (0.001 in the released checkpoints). */
        public double normalScale() {
            return components.get(1).scale();
        }
    }

    /** One mixture component output; {@code scale} only for NormalFixedScaleOutput. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Component(
            @JsonProperty("_target_") String target, @JsonProperty("scale") Double scale) {}

    /** Parses {@code file}; unknown keys are logged once, bad values fail naming the file. */
    /**
     * The config.json of a checkpoint with these sizes and the released head (mixture of
     * Student-T, Normal fixed scale 1e-3, Negative Binomial, Log-Normal), in the HF formatting.
     */
    public static String releasedJson(int dModel, int dFf, int numLayers) {
        return String.format(
                java.util.Locale.ROOT,
                """
{"attn_dropout_p": 0.0, "d_ff": %d, "d_model": %d, "distr_output": {\
"_target_": "uni2ts.distribution.mixture.MixtureOutput", "components": [\
{"_target_": "uni2ts.distribution.student_t.StudentTOutput"}, \
{"_target_": "uni2ts.distribution.normal.NormalFixedScaleOutput", "scale": 0.001},\
 {"_target_": "uni2ts.distribution.negative_binomial.NegativeBinomialOutput"}, \
{"_target_": "uni2ts.distribution.log_normal.LogNormalOutput"}]}, \
"dropout_p": 0.0, "max_seq_len": 512, "num_layers": %d, "patch_sizes": [16], \
"scaling": true}
""",
                dFf,
                dModel,
                numLayers);
    }

    public static MoiraiMoEConfig load(Path file) throws IOException {
        ObjectMapper mapper =
                new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        JsonNode root;
        try {
            root = mapper.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ModelFormatException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file + ": expected a JSON object");
        }
        Set<String> unknown = new TreeSet<>();
        root.fieldNames()
                .forEachRemaining(
                        k -> {
                            if (!KNOWN_KEYS.contains(k)) {
                                unknown.add(k);
                            }
                        });
        Set<String> missing = new TreeSet<>(KNOWN_KEYS);
        root.fieldNames().forEachRemaining(missing::remove);
        if (!missing.isEmpty()) {
            throw new ModelFormatException(
                    String.format(
                            "%s: missing config keys %s (MoiraiMoEModule constructor arguments)",
                            file, missing));
        }
        if (!unknown.isEmpty()) {
            LOG.warn("{}: ignoring unknown config keys {}", file, unknown);
        }
        try {
            return mapper.treeToValue(root, MoiraiMoEConfig.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelFormatException(file + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
