package io.patchcast.models.calf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Key normalisation, trainable set and optimiser split against the fixture's own listings. */
class CalfParametersTest {

    static final Path FIXTURES = CalfParityTest.FIXTURES;

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
}
