package io.patchcast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.moiraimoe.bench.RandomCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model folder whose files change between their SHA-256 check and the end of the load (a new
 * version copied over one being loaded) fails the load, and the half-loaded model is closed.
 */
class FileStampsTest {

    @TempDir
    Path tmp;

    /** A real (tiny, random-weight) Moirai-MoE version folder with its manifest. */
    Path version() throws Exception {
        Path dir = tmp.resolve("tiny/1");
        RandomCheckpoint.write(dir, 64, 32, 1, 5);
        Manifest.of(dir, "tiny", "1", ModelRegistry.MOIRAI_MOE, Map.of(), "config.json", "model.safetensors").write(dir);
        return dir;
    }

    /** Records whether the model it stands for was closed. */
    static final class Loaded implements Forecaster {
        boolean closed;

        @Override
        public String name() {
            return "tiny";
        }

        @Override
        public String version() {
            return "1";
        }

        @Override
        public int patchSize() {
            return 16;
        }

        @Override
        public List<QuantileForecast> forecast(List<ForecastRequest> batch, int horizon) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void aLoadOfUnchangedFilesKeepsItsModel() throws Exception {
        Path dir = version();
        FileStamps stamps = ModelArtifact.verifyStamped(dir).stamps();
        Loaded model = new Loaded();
        assertThat(stamps.loadUnchanged(() -> model)).isSameAs(model);
        assertThat(model.closed).isFalse();
        // and the real open path loads the folder
        try (Forecaster f = ModelRegistry.open(dir.toString(), "cpu", 1)) {
            assertThat(f.version()).isEqualTo("1");
        }
    }

    @Test
    void weightsRewrittenInPlaceDuringTheLoadFailItAndCloseTheModel() throws Exception {
        Path dir = version();
        FileStamps stamps = ModelArtifact.verifyStamped(dir).stamps();
        Path weights = dir.resolve("model.safetensors");
        byte[] verified = Files.readAllBytes(weights);
        Loaded model = new Loaded();
        assertThatThrownBy(() -> stamps.loadUnchanged(() -> {
            // a copy of another version over this one, caught half-way: the same file, shorter
            Files.write(weights, java.util.Arrays.copyOf(verified, verified.length / 2));
            return model;
        })).isInstanceOf(ArtifactVerificationException.class)
                .hasMessageContaining("model.safetensors changed while the model was verified and loaded")
                .hasMessageContaining("rename it into place");
        assertThat(model.closed).as("the model read from the changed file is freed").isTrue();
    }

    @Test
    void aFileRenamedIntoPlaceWithTheSameSizeIsAnotherFile() throws Exception {
        Path dir = version();
        FileStamps stamps = ModelArtifact.verifyStamped(dir).stamps();
        Path config = dir.resolve("config.json");
        Path other = tmp.resolve("config.json.new");
        Files.copy(config, other, StandardCopyOption.COPY_ATTRIBUTES); // same bytes, size and time
        Loaded model = new Loaded();
        assertThatThrownBy(() -> stamps.loadUnchanged(() -> {
            Files.move(other, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return model;
        })).isInstanceOf(ArtifactVerificationException.class).hasMessageContaining("config.json changed");
        assertThat(model.closed).isTrue();
    }

    @Test
    void aFileRemovedDuringTheLoadFailsIt() throws Exception {
        Path dir = version();
        FileStamps stamps = ModelArtifact.verifyStamped(dir).stamps();
        assertThatThrownBy(() -> stamps.loadUnchanged(() -> {
            Files.delete(dir.resolve(Manifest.FILE));
            return new Loaded();
        })).isInstanceOf(ArtifactVerificationException.class).hasMessageContaining("manifest.json changed")
                .hasMessageContaining("(gone)");
    }

    @Test
    void aReleasedCheckpointIsStampedToo() throws IOException {
        Path dir = tmp.resolve("released");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{}");
        FileStamps stamps = FileStamps.of(dir, List.of("config.json"));
        stamps.requireUnchanged();
        Files.writeString(dir.resolve("config.json"), "{\"d_model\": 64}");
        assertThatThrownBy(stamps::requireUnchanged).hasMessageContaining("config.json changed");
    }
}
