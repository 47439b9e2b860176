package io.patchcast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchcast.models.api.Forecaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

    static final Path FIXTURE = Path.of(System.getProperty("patchcast.fixtures", "../../shared/fixtures/moirai-moe"), "model");

    @TempDir
    Path store;

    /** Copies the Moirai-MoE fixture checkpoint to {@code <store>/<model>/<version>} with a manifest. */
    static Path addVersion(Path store, String name, String version, String manifestName, String manifestVersion)
            throws IOException {
        Path dir = Files.createDirectories(store.resolve(name).resolve(version));
        Files.copy(FIXTURE.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(FIXTURE.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Manifest.of(dir, manifestName, manifestVersion, ModelRegistry.MOIRAI_MOE, Map.of("source", "fixture"),
                "config.json", "model.safetensors").write(dir);
        return dir;
    }

    @Test
    void opensAVerifiedVersionNamedByItsFolder() throws IOException {
        addVersion(store, "moirai-fixture", "2", "moirai-fixture", "2");
        ModelStore s = new ModelStore(store);
        ModelRef ref = new ModelRef("moirai-fixture", "2");
        assertThat(s.contains(ref)).isTrue();
        assertThat(s.contains(new ModelRef("moirai-fixture", "3"))).isFalse();
        try (Forecaster f = s.open(ref, "cpu", 1)) {
            assertThat(f.name()).isEqualTo("moirai-fixture");
            assertThat(f.version()).isEqualTo("2");
        }
    }

    @Test
    void refusesAFolderWhoseManifestNamesAnotherVersion() throws IOException {
        addVersion(store, "moirai-fixture", "2", "moirai-fixture", "1");
        assertThatThrownBy(() -> new ModelStore(store).open(new ModelRef("moirai-fixture", "2"), "cpu", 1))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(ArtifactVerificationException.class)
                .hasMessageContaining("manifest names moirai-fixture@1, but the folder is moirai-fixture@2");
    }

    @Test
    void refusesAVersionWhoseWeightsChangedAfterTheManifest() throws IOException {
        Path dir = addVersion(store, "moirai-fixture", "2", "moirai-fixture", "2");
        Files.write(dir.resolve("model.safetensors"), new byte[] {0}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> new ModelStore(store).open(new ModelRef("moirai-fixture", "2"), "cpu", 1))
                .hasRootCauseInstanceOf(ArtifactVerificationException.class)
                .hasMessageContaining("SHA-256 of model.safetensors is");
    }

    @Test
    void builtInModelNeedsNoStoreAndOthersNeedOne() {
        ModelStore none = ModelStore.of("");
        assertThat(none.contains(ModelRef.SEASONAL_NAIVE)).isTrue();
        try (Forecaster f = none.open(ModelRef.SEASONAL_NAIVE, "cpu", 1)) {
            assertThat(f.name()).isEqualTo("seasonal-naive");
        }
        assertThatThrownBy(() -> none.open(new ModelRef("calf", "1"), "cpu", 1))
                .hasMessageContaining("no model store configured (patchcast.model-store.dir)");
    }
}
