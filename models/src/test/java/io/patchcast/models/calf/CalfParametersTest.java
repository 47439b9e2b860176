package io.patchcast.models.calf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.SafetensorsWriter;
import io.patchcast.models.io.TensorInfo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Key normalisation, trainable set and optimiser split against the fixture's own listings. */
class CalfParametersTest {

    static final Path FIXTURES = CalfParityTest.FIXTURES;

    @TempDir
    Path tmp;

    @Test
    void normalisesPeftDataParallelAndPlainKeys() {
        assertThat(CalfParameters.canonical("gpt2.base_model.model.h.3.attn.c_attn.base_layer.weight"))
                .isEqualTo("gpt2.h.3.attn.c_attn.weight");
        assertThat(CalfParameters.canonical("module.gpt2.base_model.model.h.0.attn.c_attn.lora_B.default.weight"))
                .isEqualTo("gpt2.h.0.attn.c_attn.lora_B");
        assertThat(CalfParameters.canonical("gpt2_text.h.1.attn.c_attn.weight"))
                .isEqualTo("gpt2_text.h.1.attn.c_attn.weight");
        assertThat(CalfParameters.peftName("gpt2.h.3.attn.c_attn.weight"))
                .isEqualTo("gpt2.base_model.model.h.3.attn.c_attn.base_layer.weight");
        assertThat(CalfParameters.peftName("gpt2.h.0.attn.c_attn.lora_A"))
                .isEqualTo("gpt2.base_model.model.h.0.attn.c_attn.lora_A.default.weight");
        assertThat(CalfParameters.peftName("gpt2.h.0.attn.c_proj.weight"))
                .isEqualTo("gpt2.base_model.model.h.0.attn.c_proj.weight");
    }

    @Test
    void trainableSetMatchesTheReferenceModel() throws Exception {
        JsonNode config = new ObjectMapper().readTree(FIXTURES.resolve("config.json").toFile());
        for (JsonNode n : config.get("trainable_parameters")) {
            assertThat(CalfParameters.trainable(CalfParameters.canonical(n.asText()))).as(n.asText()).isTrue();
        }
        for (JsonNode n : config.get("frozen_parameters")) {
            assertThat(CalfParameters.trainable(CalfParameters.canonical(n.asText()))).as(n.asText()).isFalse();
        }
    }

    @Test
    void optimiserSplitMatchesTheReferenceTrainStep() throws Exception {
        JsonNode opt = new ObjectMapper().readTree(FIXTURES.resolve("train_step.json").toFile()).get("optimizers");
        List<String> lossOptim = new ArrayList<>();
        opt.get("loss_optim").get("params").forEach(n -> lossOptim.add(n.asText()));
        assertThat(lossOptim).contains("in_layer.cross_attention.in_proj_weight", "time_proj.0.weight");
        for (JsonNode n : opt.get("model_optim").get("params")) {
            assertThat(CalfParameters.lossOptimGroup(CalfParameters.canonical(n.asText()))).as(n.asText()).isFalse();
        }
        for (String n : lossOptim) {
            assertThat(CalfParameters.lossOptimGroup(CalfParameters.canonical(n))).as(n).isTrue();
        }
    }

    @Test
    void mergingLoraInJavaGivesTheReferenceMergedWeights() throws Exception {
        CalfConfig c = CalfConfig.read(FIXTURES.resolve("config.json"));
        try (NDManager root = NDManager.newBaseManager();
                SafetensorsReader merged = SafetensorsReader.open(FIXTURES.resolve("model.safetensors"));
                CalfParameters p = CalfParameters.load(c, FIXTURES.resolve("model_unmerged.safetensors"), null,
                        root.newSubManager())) {
            assertThat(p.lora()).isTrue();
            assertThat(p.mergeLora()).isTrue();
            assertThat(p.lora()).isFalse();
            assertThat(p.contains("gpt2.h.0.attn.c_attn.lora_A")).isFalse();
            for (int i = 0; i < c.gptLayers(); i++) {
                String k = "gpt2.h." + i + ".attn.c_attn.weight";
                float[] expected = merged.floats(k);
                float[] actual = p.values(k);
                for (int j = 0; j < expected.length; j++) {
                    assertThat(actual[j]).as(k).isCloseTo(expected[j], within(1e-6f));
                }
            }
            assertThat(p.mergeLora()).isFalse();
        }
    }

    @Test
    void aTimeBranchOnlyCheckpointForecastsAndRejectsAPartialTextBranch() throws Exception {
        CalfConfig c = CalfConfig.read(FIXTURES.resolve("config.json"));
        Path timeOnly = tmp.resolve("time.safetensors");
        Path partial = tmp.resolve("partial.safetensors");
        try (SafetensorsReader r = SafetensorsReader.open(FIXTURES.resolve("model.safetensors"))) {
            SafetensorsWriter w = new SafetensorsWriter();
            SafetensorsWriter wp = new SafetensorsWriter();
            for (TensorInfo info : r.tensors().values()) {
                String n = info.name();
                boolean text = n.startsWith("gpt2_text.") || n.startsWith("in_layer.cross_attention.")
                        || n.contains("_proj.") && (n.startsWith("time_proj") || n.startsWith("text_proj"));
                if (!text) {
                    w.putF32(n, r.floats(n), info.shape());
                }
                if (!text || !n.startsWith("text_proj")) {
                    wp.putF32(n, r.floats(n), info.shape());
                }
            }
            w.write(timeOnly);
            wp.write(partial);
        }
        try (NDManager root = NDManager.newBaseManager();
                SafetensorsReader inf = SafetensorsReader.open(FIXTURES.resolve("inference.safetensors"));
                CalfParameters p = CalfParameters.load(c, timeOnly, null, root.newSubManager());
                NDManager call = p.manager().newSubManager()) {
            assertThat(p.textBranch()).isFalse();
            float[] x = inf.floats("input.x");
            NDArray xs = call.create(x, new Shape(2, c.seqLen(), 3));
            NDArray out = new CalfModel(p).forward(xs, call.zeros(new Shape(c.nPca(), c.dModel()))).outputsTime();
            float[] expected = inf.floats("outputs_time");
            float[] actual = out.toFloatArray();
            for (int j = 0; j < expected.length; j++) {
                assertThat(actual[j]).isCloseTo(expected[j], within(1e-4f));
            }
            assertThatThrownBy(() -> CalfParameters.load(c, partial, null, root.newSubManager()))
                    .hasMessageContaining("text branch incomplete").hasMessageContaining("text_proj.0.weight");
        }
    }
}
