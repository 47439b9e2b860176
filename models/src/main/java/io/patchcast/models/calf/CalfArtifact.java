package io.patchcast.models.calf;

import ai.djl.ndarray.NDManager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.patchcast.models.api.QuantileGrid;
import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CALF model folder: {@code config.json} (the fixtures' layout plus {@code channels}), {@code
 * model.safetensors} (canonical names, LoRA unmerged), {@code word_embedding.safetensors} (the
 * principal word embeddings it was trained with, which CALF itself does not store) and {@code
 * calibration.safetensors} (conformal offsets (M, H, Q)).
 */
public final class CalfArtifact {

    public static final String CONFIG = "config.json";
    public static final String MODEL = "model.safetensors";
    public static final String WORD_EMBEDDING = "word_embedding.safetensors";
    public static final String CALIBRATION = "calibration.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CalfArtifact() {}

    /** Writes the four files into {@code dir}. */
    public static void write(
            Path dir, CalfParameters p, float[] wordEmbedding, List<String> channels, ConformalResiduals res)
            throws IOException {
        CalfConfig c = p.config();
        ObjectNode root = JSON.createObjectNode();
        ObjectNode calf = root.putObject("calf_configs");
        calf.put("task_name", "long_term_forecast");
        calf.put("seq_len", c.seqLen());
        calf.put("pred_len", c.predLen());
        calf.put("d_model", c.dModel());
        calf.put("gpt_layers", c.gptLayers());
        calf.put("r", c.loraR());
        calf.put("lora_alpha", c.loraAlpha());
        calf.put("enc_in", channels.size());
        ObjectNode g = root.putObject("gpt2_config");
        g.put("n_head", c.gptHeads());
        g.put("n_positions", c.nPositions());
        g.put("n_inner", c.nInner());
        g.put("n_embd", c.dModel());
        ObjectNode e = root.putObject("encoder_pca");
        e.put("num_heads", c.encHeads());
        e.put("dim_feedforward", c.dimFeedforward());
        root.put("n_pca", c.nPca());
        ArrayNode ch = root.putArray("channels");
        channels.forEach(ch::add);
        JSON.writeValue(dir.resolve(CONFIG).toFile(), root);

        SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "patchcast-calf");
        for (String name : p.names()) {
            w.putF32(name, p.values(name), p.checkpointShape(name));
        }
        w.write(dir.resolve(MODEL));
        new SafetensorsWriter()
                .putF32("word_embedding", wordEmbedding, c.nPca(), c.dModel())
                .write(dir.resolve(WORD_EMBEDDING));
        new SafetensorsWriter()
                .putF32("offsets", res.offsets(), res.channels(), res.horizon(), QuantileGrid.size())
                .write(dir.resolve(CALIBRATION));
    }

    /** The channels the folder's model was trained on, in order ({@code config.json}); empty if it names none. */
    public static List<String> channels(Path dir) throws IOException {
        JsonNode root = JSON.readTree(dir.resolve(CONFIG).toFile());
        List<String> channels = new ArrayList<>();
        root.path("channels").forEach(n -> channels.add(n.asText()));
        return List.copyOf(channels);
    }

    /** A forecaster over the folder's time branch, named {@code name} / {@code version}. */
    public static CalfForecaster load(Path dir, String name, String version, NDManager manager) throws IOException {
        CalfConfig c = CalfConfig.read(dir.resolve(CONFIG));
        List<String> channels = channels(dir);
        if (channels.isEmpty()) {
            throw new IOException(dir.resolve(CONFIG) + ": no 'channels' (the channel set the model was trained on)");
        }
        ConformalResiduals res;
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(CALIBRATION))) {
            r.requireShape("offsets", "(channels, pred_len, quantile levels)", channels.size(), c.predLen(),
                    QuantileGrid.size());
            res = new ConformalResiduals(channels.size(), c.predLen(), r.floats("offsets"));
        }
        CalfParameters p = CalfParameters.load(c, dir.resolve(MODEL), null, manager);
        return new CalfForecaster(p, channels, res, name, version);
    }
}
