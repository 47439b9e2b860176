package io.patchcast.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A model version folder whose every file matched the SHA-256 in its manifest. */
public record ModelArtifact(Path dir, Manifest manifest) {

    /** A verified artifact and what its files were before their digests were computed. */
    record Stamped(ModelArtifact artifact, FileStamps stamps) {}

    /** Reads the manifest and checks every listed file; fails naming the file and both digests. */
    public static ModelArtifact verify(Path dir) throws IOException {
        return verifyStamped(dir).artifact();
    }

    /**
     * {@link #verify}, with the files' stamps taken before their digests: a load from the folder
     * then checks that it read the files that were verified ({@link FileStamps#loadUnchanged}).
     */
    static Stamped verifyStamped(Path dir) throws IOException {
        Manifest m = Manifest.read(dir);
        if (m.files().isEmpty()) {
            throw new ArtifactVerificationException(dir + ": manifest lists no files");
        }
        for (Map.Entry<String, String> e : m.files().entrySet()) {
            Path f = dir.resolve(e.getKey()).normalize();
            if (!f.startsWith(dir.normalize())) {
                throw new ArtifactVerificationException(dir + ": manifest names a file outside the folder: " + e.getKey());
            }
            if (!Files.isRegularFile(f)) {
                throw new ArtifactVerificationException(dir + ": " + e.getKey() + " is listed in the manifest but missing");
            }
        }
        List<String> files = new ArrayList<>(m.files().keySet());
        files.add(Manifest.FILE);
        FileStamps stamps = FileStamps.of(dir, files);
        for (Map.Entry<String, String> e : m.files().entrySet()) {
            Path f = dir.resolve(e.getKey()).normalize();
            String actual = Sha256.of(f);
            if (!actual.equalsIgnoreCase(e.getValue())) {
                throw new ArtifactVerificationException(String.format(
                        "%s: SHA-256 of %s is %s, manifest expects %s", dir, e.getKey(), actual, e.getValue()));
            }
        }
        return new Stamped(new ModelArtifact(dir, m), stamps);
    }
}
