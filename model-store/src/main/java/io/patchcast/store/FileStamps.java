package io.patchcast.store;

import io.patchcast.models.api.Forecaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * What a model folder's files were when their SHA-256 was checked (file identity, size, modification
 * time), so that a load can tell whether a file changed between its check and its load: a deploy that
 * copies a new version over the files of one being loaded would otherwise have its half-written
 * weights loaded under the verified digest. A file renamed into place is another file, and a file
 * rewritten in place changes its size or modification time; a rewrite that keeps both (same size,
 * within the file system's time granularity) is not seen. Write new versions aside and rename them
 * into place (README, Models), and a load never sees a changed file.
 */
final class FileStamps {

    private record Stamp(Object fileKey, long size, long modifiedNanos) {}

    private final Path dir;
    private final Map<String, Stamp> stamps = new LinkedHashMap<>();

    private FileStamps(Path dir) {
        this.dir = dir;
    }

    /** Takes the stamps of {@code files} (names relative to {@code dir}) now, before they are checked. */
    static FileStamps of(Path dir, Iterable<String> files) throws IOException {
        FileStamps s = new FileStamps(dir);
        for (String f : files) {
            s.stamps.put(f, stamp(dir.resolve(f)));
        }
        return s;
    }

    private static Stamp stamp(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
    }

    /** Fails naming the first file that is not what it was when stamped (replaced, rewritten or gone). */
    void requireUnchanged() throws ArtifactVerificationException {
        for (Map.Entry<String, Stamp> e : stamps.entrySet()) {
            Stamp now;
            try {
                now = stamp(dir.resolve(e.getKey()));
            } catch (IOException gone) {
                now = null;
            }
            if (!Objects.equals(now, e.getValue())) {
                throw new ArtifactVerificationException(String.format(
                        "%s: %s changed while the model was verified and loaded (%s); a load must see the files"
                                + " its SHA-256 check saw: write a new version aside and rename it into place",
                        dir, e.getKey(), now == null ? "gone" : "replaced or rewritten"));
            }
        }
    }

    /** Loads a model from the stamped files. */
    interface Load {
        Forecaster load() throws IOException;
    }

    /**
     * The model {@code load} returns, once every stamped file is unchanged after it; else the model
     * is closed (its weights freed) and the failure thrown.
     */
    Forecaster loadUnchanged(Load load) throws IOException {
        Forecaster f = load.load();
        try {
            requireUnchanged();
        } catch (ArtifactVerificationException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }
}
