package io.patchcast.models.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fixture's config.json (any size: tiny, small, base), against the values in its JSON; the
 * broken variants are edited as JSON, so they do not depend on how the file is laid out.
 */
class MoiraiMoEConfigTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path CONFIG = SafetensorsReaderTest.FIXTURES.resolve("model/config.json");

    @TempDir Path dir;

    static ObjectNode fixtureJson() throws IOException {
        return (ObjectNode) JSON.readTree(CONFIG.toFile());
    }

    @Test
    void parsesFixtureConfig() throws IOException {
        MoiraiMoEConfig c = MoiraiMoEConfig.load(CONFIG);
        JsonNode j = fixtureJson();
        assertThat(c.dModel()).isEqualTo(j.get("d_model").asInt());
        assertThat(c.dFf()).isEqualTo(j.get("d_ff").asInt());
        assertThat(c.numLayers()).isEqualTo(j.get("num_layers").asInt());
        assertThat(c.numHeads()).isEqualTo(j.get("d_model").asInt() / 64); // uni2ts: heads of 64
        assertThat(c.maxSeqLen()).isEqualTo(j.get("max_seq_len").asInt());
        assertThat(c.patchSizes()).containsExactly(16);
        assertThat(c.scaling()).isEqualTo(j.get("scaling").asBoolean());
        double normalScale = Double.NaN;
        for (JsonNode comp : j.get("distr_output").get("components")) {
            if (comp.get("_target_").asText().endsWith("NormalFixedScaleOutput")) {
                normalScale = comp.get("scale").asDouble();
            }
        }
        assertThat(c.distrOutput().normalScale()).isEqualTo(normalScale);
    }

    @Test
    void rejectsOtherPatchSizeNamingFile() throws IOException {
        Path f = dir.resolve("config.json");
        ObjectNode bad = fixtureJson();
        bad.putArray("patch_sizes").add(8).add(16);
        JSON.writeValue(f.toFile(), bad);
        assertThatThrownBy(() -> MoiraiMoEConfig.load(f))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("patch_sizes must be [16]");
    }

    @Test
    void rejectsMissingKeyAndWrongMixture() throws IOException {
        Path f = dir.resolve("config.json");
        ObjectNode noDModel = fixtureJson();
        noDModel.remove("d_model");
        JSON.writeValue(f.toFile(), noDModel);
        assertThatThrownBy(() -> MoiraiMoEConfig.load(f)).hasMessageContaining("d_model");
        String good = Files.readString(CONFIG);
        assertThat(good).contains("LogNormalOutput");
        Files.writeString(f, good.replace("LogNormalOutput", "LaplaceOutput"));
        assertThatThrownBy(() -> MoiraiMoEConfig.load(f)).hasMessageContaining("LaplaceOutput");
        ObjectNode oddDModel = fixtureJson();
        oddDModel.put("d_model", 100);
        JSON.writeValue(f.toFile(), oddDModel);
        assertThatThrownBy(() -> MoiraiMoEConfig.load(f))
                .hasMessageContaining("multiple of 64")
                .hasMessageContaining("got 100");
    }
}
