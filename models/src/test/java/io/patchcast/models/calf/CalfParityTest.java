package io.patchcast.models.calf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;

/** Parity with the CALF reference code through {@link CalfVerifier} (calf fixtures README). */
class CalfParityTest {

    static final Path FIXTURES =
            Paths.get(System.getProperty("patchcast.calf.fixtures", "../../shared/fixtures/calf"));

    /**
     * A second set, made by calf-fixtures.py with the real transformers 5.18, peft 0.21 and torch
     * 2.13 (not stand-ins), with another loss, weights and learning rate than run.py's defaults:
     * {@code --d-model 24 --gpt-heads 2 --gpt-config-layers 2 --gpt-layers 2 --vocab 64
     * --n-positions 16 --pca 8 --enc-in 2 --seq-len 32 --pred-len 8 --r 4 --lora-alpha 8 --loss
     * smooth_l1 --output-w 0.5 --feature-w 0.1 --learning-rate 0.001 --seed 5} (its README.txt and
     * config.json describe every tensor and the versions).
     */
    static final Path SMOOTH_L1 = Paths.get("src/test/resources/calf-smooth-l1");

    @Test
    void matchesEveryFixtureCheck() throws Exception {
        assertEveryCheckPasses(FIXTURES);
    }

    @Test
    void trainsWithTheFixturesLossKindsWeightsAndLearningRate() throws Exception {
        assertEveryCheckPasses(SMOOTH_L1);
    }

    @Test
    void readsTheLossOfAFixtureAndRejectsOneItCannotCompute() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path file = Paths.get("config.json");
        assertThat(CalfVerifier.fixtureLoss(MissingNode.getInstance(), 2, file))
                .isEqualTo(CmLoss.defaults());
        JsonNode loss = json.readTree("{\"task\":\"smooth_l1\",\"output\":\"mse\","
                + "\"feature\":\"l1\",\"task_w\":1.0,\"output_w\":0.5,\"feature_w\":0.1,"
                + "\"feature_layer_weights\":[1.0,0.8,0.64]}");
        assertThat(CalfVerifier.fixtureLoss(loss, 2, file))
                .isEqualTo(new CmLoss(
                        CmLoss.Kind.SMOOTH_L1, CmLoss.Kind.MSE, CmLoss.Kind.L1, 1f, 0.5f, 0.1f));
        assertThatThrownBy(() -> CalfVerifier.fixtureLoss(
                        json.readTree("{\"task\":\"mase\"}"), 2, file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(
                        "config.json: loss: loss 'mase' is not one of l1, smooth_l1, mse");
        assertThatThrownBy(() -> CalfVerifier.fixtureLoss(
                        json.readTree("{\"feature_layer_weights\":[1.0,0.5,0.25]}"), 2, file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("are not CALF's 0.8^k for k = 0..2");
        assertThatThrownBy(() -> CalfVerifier.fixtureLoss(
                        json.readTree("{\"feature_layer_weights\":[1.0,0.8]}"), 2, file))
                .isInstanceOf(IOException.class);
    }

    private static void assertEveryCheckPasses(Path dir) throws Exception {
        List<CalfCheck> checks = CalfVerifier.verify(dir, null);
        String report = checks.stream().map(CalfCheck::line).collect(Collectors.joining("\n"));
        System.out.println(report);
        assertThat(checks).extracting(CalfCheck::group).contains(
                "forward merged LoRA", "forward unmerged LoRA", "merged vs unmerged",
                "forward HF gpt2 backbone", "batch of one, time branch", "principal word embeddings",
                "train losses", "train gradients", "train params after step");
        assertThat(checks).filteredOn(c -> !c.pass()).as(report).isEmpty();
    }
}
