package io.patchcast.store;

import io.patchcast.models.api.Forecaster;
import io.patchcast.models.fallback.SeasonalNaiveForecaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A folder of model versions, {@code <dir>/<model>/<version>/} each with {@code manifest.json}:
 * resolves a {@link ModelRef} to its folder and opens it only after its manifest names the same
 * model and version and every file matched its SHA-256 ({@link ModelRegistry#open}).
 * {@link ModelRef#SEASONAL_NAIVE} is built in and needs no folder.
 */
public final class ModelStore {

    private final Path dir;

    /** @param dir the store's root; null for none (only built-in models resolve) */
    public ModelStore(Path dir) {
        this.dir = dir;
    }

    public static ModelStore of(String dir) {
        return new ModelStore(dir == null || dir.isBlank() ? null : Path.of(dir));
    }

    public Path dir() {
        return dir;
    }

    public Path folder(ModelRef ref) {
        if (dir == null) {
            throw new IllegalArgumentException(String.format(
                    "%s: no model store configured (patchcast.model-store.dir); only %s is built in",
                    ref, ModelRef.SEASONAL_NAIVE));
        }
        return dir.resolve(ref.model()).resolve(ref.version());
    }

    /** Whether the version can be resolved at all (built in, or its folder has a manifest); no hashing. */
    public boolean contains(ModelRef ref) {
        return ref.isBuiltIn() || (dir != null && Files.isRegularFile(folder(ref).resolve(Manifest.FILE)));
    }

    /**
     * The channels a version was trained on, in order (a CALF model's {@code config.json}
     * "channels"); empty for a single-series model or one the store cannot resolve. Reads two small
     * files, hashes nothing.
     */
    public java.util.List<String> channels(ModelRef ref) {
        if (!contains(ref) || ref.isBuiltIn()) {
            return java.util.List.of();
        }
        Path folder = folder(ref);
        try {
            if (!ModelRegistry.CALF.equals(Manifest.read(folder).type())) {
                return java.util.List.of();
            }
            return io.patchcast.models.calf.CalfArtifact.channels(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks that a rule names the channels its version was trained on (none for a single-series
     * model), so a multichannel model is never routed without its group.
     *
     * @throws IllegalArgumentException saying what the version expects
     */
    public void checkChannels(ModelRef ref, String[] channels) {
        java.util.List<String> trained = channels(ref);
        java.util.List<String> named = java.util.List.of(channels);
        if (!trained.isEmpty() && !trained.equals(named)) {
            throw new IllegalArgumentException(String.format(
                    "%s is a multichannel model trained on channels %s, in that order; the rule names %s", ref,
                    trained, named.isEmpty() ? "none" : named));
        }
    }

    /**
     * Verifies and loads a version; slow (hashes every file, loads the weights), so callers run it
     * off the hot path.
     *
     * @throws UncheckedIOException naming the folder when it is missing, its manifest names another
     *     model or version, or a file's SHA-256 differs ({@link ArtifactVerificationException})
     */
    public Forecaster open(ModelRef ref, String device, int engineThreads) {
        if (ref.isBuiltIn()) {
            return new SeasonalNaiveForecaster();
        }
        Path folder = folder(ref);
        try {
            Manifest m = Manifest.read(folder);
            if (!m.name().equals(ref.model()) || !m.version().equals(ref.version())) {
                throw new ArtifactVerificationException(String.format(
                        "%s: manifest names %s@%s, but the folder is %s", folder, m.name(), m.version(), ref));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Forecaster f = ModelRegistry.open(folder.toString(), device, engineThreads);
        if (!f.name().equals(ref.model()) || !f.version().equals(ref.version())) {
            f.close();
            throw new IllegalStateException(String.format("%s loaded as %s@%s", ref, f.name(), f.version()));
        }
        return f;
    }
}
