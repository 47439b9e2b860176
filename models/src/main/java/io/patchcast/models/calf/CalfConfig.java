package io.patchcast.models.calf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Hyper-parameters of CALF {@code models/CALF.py::Model} (spec §2): window and horizon, GPT-2 width,
 * kept layers and heads, LoRA rank and alpha, the number of principal word embeddings.
 *
 * <p>{@code encHeads} (12) and {@code dimFeedforward} (2048) are what {@code Encoder_PCA} hard-codes
 * (spec §3.2); they are fields so that a tiny fixture model states them explicitly.
 */
public record CalfConfig(
        int seqLen,
        int predLen,
        int dModel,
        int gptLayers,
        int gptHeads,
        int nPositions,
        int nInner,
        int encHeads,
        int dimFeedforward,
        int loraR,
        int loraAlpha,
        int nPca) {

    /** {@code Encoder_PCA(num_heads=12)} default in models/CALF.py. */
    public static final int ENCODER_HEADS = 12;

    /** torch {@code TransformerEncoderLayer} default dim_feedforward. */
    public static final int ENCODER_FF = 2048;

    /** LayerNorm eps of GPT-2 (layer_norm_epsilon) and of the torch encoder layer. */
    public static final float LN_EPS = 1e-5f;

    /** Instance-normalisation eps, inside the sqrt (spec §3.1). */
    public static final float REVIN_EPS = 1e-5f;

    public CalfConfig {
        if (seqLen < 1 || predLen < 1) {
            throw new IllegalArgumentException(
                    String.format("seq_len %d and pred_len %d must be >= 1", seqLen, predLen));
        }
        if (dModel % gptHeads != 0 || dModel % encHeads != 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "d_model %d must be divisible by the GPT-2 heads %d and the encoder"
                                    + " heads %d",
                            dModel, gptHeads, encHeads));
        }
        if (gptLayers < 1 || loraR < 1 || nPca < 1 || nPositions < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "gpt_layers %d, r %d, n_pca %d, n_positions %d must be >= 1",
                            gptLayers, loraR, nPca, nPositions));
        }
    }

    /** CALF with GPT-2 small, as the long-term scripts run it (spec §2, §6.1). */
    public static CalfConfig gpt2Small(int seqLen, int predLen) {
        return new CalfConfig(
                seqLen, predLen, 768, 6, 12, 1024, 3072, ENCODER_HEADS, ENCODER_FF, 8, 32, 500);
    }

    /** alpha / r, the LoRA scaling (4 in CALF). */
    public float loraScaling() {
        return (float) loraAlpha / loraR;
    }

    /**
     * Reads the {@code config.json} of the CALF fixtures or of a patchcast CALF artifact: {@code
     * calf_configs} (seq_len, pred_len, d_model, gpt_layers, r, lora_alpha), {@code gpt2_config}
     * (n_head, n_positions, n_inner), {@code n_pca}, {@code encoder_pca} (num_heads,
     * dim_feedforward).
     */
    public static CalfConfig read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        JsonNode c = require(root, "calf_configs", file);
        JsonNode g = require(root, "gpt2_config", file);
        JsonNode e = root.path("encoder_pca");
        int d = require(c, "d_model", file).asInt();
        return new CalfConfig(
                require(c, "seq_len", file).asInt(),
                require(c, "pred_len", file).asInt(),
                d,
                require(c, "gpt_layers", file).asInt(),
                require(g, "n_head", file).asInt(),
                g.path("n_positions").asInt(1024),
                g.path("n_inner").isNull() || g.path("n_inner").isMissingNode()
                        ? 4 * d
                        : g.path("n_inner").asInt(),
                e.path("num_heads").asInt(ENCODER_HEADS),
                e.path("dim_feedforward").asInt(ENCODER_FF),
                require(c, "r", file).asInt(),
                require(c, "lora_alpha", file).asInt(),
                require(root, "n_pca", file).asInt());
    }

    private static JsonNode require(JsonNode node, String key, Path file) throws IOException {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            throw new IOException(String.format("%s: missing '%s'", file, key));
        }
        return v;
    }
}
