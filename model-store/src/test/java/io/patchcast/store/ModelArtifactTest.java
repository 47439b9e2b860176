package io.patchcast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactTest {

    /** SHA-256("abc"), FIPS 180-2 appendix B.1. */
    static final String SHA_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    /** SHA-256 of the empty input. */
    static final String SHA_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @TempDir
    Path dir;

    @BeforeEach
    void writeModelFolder() throws IOException {
        Files.writeString(dir.resolve("config.json"), "abc", StandardCharsets.US_ASCII);
        Files.write(dir.resolve("model.safetensors"), new byte[0]);
    }

    Manifest manifest() throws IOException {
        return Manifest.of(dir, "tiny", "3", "moirai-moe", Map.of("seed", 42, "steps", 1000),
                "config.json", "model.safetensors");
    }

    @Test
    void manifestListsTheSha256OfEachFile() throws IOException {
        assertThat(manifest().files())
                .containsExactly(Map.entry("config.json", SHA_ABC), Map.entry("model.safetensors", SHA_EMPTY));
    }

    @Test
    void manifestRoundTripsThroughJson() throws IOException {
        Manifest m = manifest();
        m.write(dir);
        Manifest read = Manifest.read(dir);
        assertThat(read).isEqualTo(m);
        assertThat(read.recipe()).containsEntry("seed", 42);
        assertThat(Files.readString(dir.resolve(Manifest.FILE))).contains("\"config.json\" : \"" + SHA_ABC + "\"");
    }

    @Test
    void matchingFilesVerify() throws IOException {
        manifest().write(dir);
        ModelArtifact a = ModelArtifact.verify(dir);
        assertThat(a.dir()).isEqualTo(dir);
        assertThat(a.manifest().name()).isEqualTo("tiny");
        assertThat(a.manifest().version()).isEqualTo("3");
    }

    @Test
    void upperCaseDigestsInTheManifestVerify() throws IOException {
        new Manifest("tiny", "3", "t", Map.of("config.json", SHA_ABC.toUpperCase()), null).write(dir);
        assertThat(ModelArtifact.verify(dir).manifest().files()).hasSize(1);
    }

    @Test
    void changedByteFailsNamingTheFileAndBothDigests() throws IOException {
        manifest().write(dir);
        Files.write(dir.resolve("model.safetensors"), new byte[] {0});
        // SHA-256 of the single byte 0x00
        String actual = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
        assertThat(Sha256.of(dir.resolve("model.safetensors"))).isEqualTo(actual);

        assertThatThrownBy(() -> ModelArtifact.verify(dir))
                .isInstanceOf(ArtifactVerificationException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("is " + actual)
                .hasMessageContaining("expects " + SHA_EMPTY);
    }

    @Test
    void flippedByteInALargerFileFails() throws IOException {
        byte[] weights = new byte[200_000]; // more than one 64 KiB read buffer
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) (i * 31);
        }
        Files.write(dir.resolve("model.safetensors"), weights);
        manifest().write(dir);
        assertThat(ModelArtifact.verify(dir)).isNotNull();

        weights[150_001] ^= 1;
        Files.write(dir.resolve("model.safetensors"), weights);
        assertThatThrownBy(() -> ModelArtifact.verify(dir))
                .isInstanceOf(ArtifactVerificationException.class)
                .hasMessageContaining("SHA-256 of model.safetensors");
    }

    @Test
    void missingFileFails() throws IOException {
        manifest().write(dir);
        Files.delete(dir.resolve("config.json"));
        assertThatThrownBy(() -> ModelArtifact.verify(dir))
                .isInstanceOf(ArtifactVerificationException.class)
                .hasMessageContaining("config.json is listed in the manifest but missing");
    }

    @Test
    void pathEscapingTheFolderFails() throws IOException {
        Path outside = dir.getParent().resolve(dir.getFileName() + "-secret.bin");
        Files.writeString(outside, "abc");
        try {
            String rel = "../" + outside.getFileName();
            new Manifest("tiny", "3", "t", Map.of(rel, SHA_ABC), null).write(dir);
            assertThatThrownBy(() -> ModelArtifact.verify(dir))
                    .isInstanceOf(ArtifactVerificationException.class)
                    .hasMessageContaining("outside the folder: " + rel);

            new Manifest("tiny", "3", "t", Map.of(outside.toString(), SHA_ABC), null).write(dir);
            assertThatThrownBy(() -> ModelArtifact.verify(dir))
                    .isInstanceOf(ArtifactVerificationException.class)
                    .hasMessageContaining("outside the folder");
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void manifestWithoutFilesFails() throws IOException {
        new Manifest("tiny", "3", "t", Map.of(), null).write(dir);
        assertThatThrownBy(() -> ModelArtifact.verify(dir))
                .isInstanceOf(ArtifactVerificationException.class)
                .hasMessageContaining("manifest lists no files");
    }

    @Test
    void missingOrBrokenManifestFails() throws IOException {
        assertThatThrownBy(() -> ModelArtifact.verify(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no manifest.json");
        Files.writeString(dir.resolve(Manifest.FILE), "{\"name\": \"tiny\"");
        assertThatThrownBy(() -> ModelArtifact.verify(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a valid manifest");
    }
}
