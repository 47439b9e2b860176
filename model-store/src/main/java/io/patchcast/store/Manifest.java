package io.patchcast.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code manifest.json} of a model version folder: what the model is and the SHA-256 of every file.
 *
 * @param files file name (relative to the folder) to lower-case hex SHA-256
 * @param recipe free-form provenance (training recipe, seed, steps, final loss, source checkpoint)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        @JsonProperty("name") String name,
        @JsonProperty("version") String version,
        @JsonProperty("type") String type,
        @JsonProperty("files") Map<String, String> files,
        @JsonProperty("recipe") Map<String, Object> recipe) {

    public static final String FILE = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public Manifest {
        Objects.requireNonNull(name, "manifest name");
        Objects.requireNonNull(version, "manifest version");
        Objects.requireNonNull(type, "manifest type");
        files = files == null ? Map.of() : new TreeMap<>(files);
        recipe = recipe == null ? Map.of() : new TreeMap<>(recipe);
    }

    public static Manifest read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new IOException(dir + ": no " + FILE + " (a model folder needs config.json, model.safetensors and manifest.json)");
        }
        try {
            return JSON.readValue(f.toFile(), Manifest.class);
        } catch (IOException | RuntimeException e) {
            throw new IOException(f + ": not a valid manifest: " + e.getMessage(), e);
        }
    }

    public void write(Path dir) throws IOException {
        JSON.writeValue(dir.resolve(FILE).toFile(), this);
    }

    /** A manifest listing the SHA-256 of the given files of {@code dir}. */
    public static Manifest of(Path dir, String name, String version, String type,
            Map<String, Object> recipe, String... fileNames) throws IOException {
        Map<String, String> files = new TreeMap<>();
        for (String n : fileNames) {
            files.put(n, Sha256.of(dir.resolve(n)));
        }
        return new Manifest(name, version, type, files, recipe);
    }
}
