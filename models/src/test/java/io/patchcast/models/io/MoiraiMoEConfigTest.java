package io.patchcast.models.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class MoiraiMoEConfigTest {

    @TempDir Path dir;

    @Test
    void parsesFixtureConfig() throws IOException {
        MoiraiMoEConfig c =
                MoiraiMoEConfig.load(SafetensorsReaderTest.FIXTURES.resolve("model/config.json"));
        assertThat(c.dModel()).isEqualTo(128);
        assertThat(c.dFf()).isEqualTo(64);
        assertThat(c.numLayers()).isEqualTo(2);
        assertThat(c.numHeads()).isEqualTo(2);
        assertThat(c.maxSeqLen()).isEqualTo(512);
        assertThat(c.patchSizes()).containsExactly(16);
        assertThat(c.scaling()).isTrue();
        assertThat(c.distrOutput().normalScale()).isEqualTo(0.001);
    }

    @Test
    void rejectsOtherPatchSizeNamingFile() throws IOException {
        Path f = dir.resolve("config.json");
        String good = Files.readString(SafetensorsReaderTest.FIXTURES.resolve("model/config.json"));
        Files.writeString(
                f, good.replace("\"patch_sizes\": [\n    16\n  ]", "\"patch_sizes\": [8, 16]"));
        assertThatThrownBy(() -> MoiraiMoEConfig.load(f))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("patch_sizes must be [16]");
    }

    @Test
    void rejectsMissingKeyAndWrongMixture() throws IOException {
        Path f = dir.resolve("config.json");
        String good = Files.readString(SafetensorsReaderTest.FIXTURES.resolve("model/config.json"));
        Files.writeString(f, good.replace("\"d_model\": 128,", ""));
        assertThatThrownBy(() -> MoiraiMoEConfig.load(f)).hasMessageContaining("d_model");
        Files.writeString(f, good.replace("LogNormalOutput", "LaplaceOutput"));
        assertThatThrownBy(() -> MoiraiMoEConfig.load(f)).hasMessageContaining("LaplaceOutput");
        Files.writeString(f, good.replace("\"d_model\": 128", "\"d_model\": 100"));
        assertThatThrownBy(() -> MoiraiMoEConfig.load(f))
                .hasMessageContaining("multiple of 64")
                .hasMessageContaining("got 100");
    }
}
