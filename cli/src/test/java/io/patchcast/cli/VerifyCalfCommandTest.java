package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.SafetensorsWriter;
import io.patchcast.models.io.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCalfCommandTest {

    static final Path FIXTURES = Path.of(System.getProperty("patchcast.calf.fixtures", "../../shared/fixtures/calf"));

    @TempDir
    Path tmp;

    @Test
    void passesOnTheReferenceFixtures() {
        ScoreCommandTest.Out r = ScoreCommandTest.run("verify-calf", "--fixtures", FIXTURES.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("forward merged LoRA", "train gradients", "principal word embeddings")
                .doesNotContain("FAIL").endsWith("PASS\n");
    }

    @Test
    void failsWhenOneWeightIsPerturbed() throws Exception {
        Path copy = copyFixtures();
        // out_layer.bias of the merged checkpoint + 1e-3: only the merged forward may fail
        perturb(copy.resolve("model.safetensors"), "out_layer.bias", 1e-3f);
        ScoreCommandTest.Out r = ScoreCommandTest.run("verify-calf", "--fixtures", copy.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).containsPattern("forward merged LoRA .*FAIL")
                .containsPattern("forward unmerged LoRA .*PASS")
                .containsPattern("merged vs unmerged .*FAIL")
                .containsPattern("train gradients .*PASS")
                .endsWith("FAIL\n");
    }

    @Test
    void failsWhenAReferenceGradientIsPerturbed() throws Exception {
        Path copy = copyFixtures();
        perturb(copy.resolve("train_step.safetensors"), "grad.gpt2.base_model.model.h.1.attn.c_attn.lora_A.default.weight",
                0.01f);
        ScoreCommandTest.Out r = ScoreCommandTest.run("verify-calf", "--fixtures", copy.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).containsPattern("train gradients .*lora_A.*FAIL")
                .containsPattern("forward merged LoRA .*PASS");
    }

    @Test
    void rejectsAFolderOfAnotherLayout() {
        ScoreCommandTest.Out r = ScoreCommandTest.run("verify-calf", "--fixtures", tmp.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("missing").contains("model.safetensors");
    }

    private Path copyFixtures() throws Exception {
        Path copy = tmp.resolve("fx");
        Files.createDirectories(copy);
        for (String f : VerifyCalfCommand.FILES) {
            Files.copy(FIXTURES.resolve(f), copy.resolve(f));
        }
        return copy;
    }

    /** Rewrites {@code file} with {@code delta} added to the first value of {@code name}. */
    private static void perturb(Path file, String name, float delta) throws Exception {
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            for (TensorInfo info : r.tensors().values()) {
                float[] v = r.floats(info.name());
                if (info.name().equals(name)) {
                    v[0] += delta;
                }
                w.putF32(info.name(), v, info.shape());
            }
        }
        Files.delete(file);
        w.write(file);
    }
}
