package io.patchcast.cli.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The {@code .csv} files under a folder, for the commands that read folders of series or results. */
public final class CsvFiles {
    private CsvFiles() {}

    /**
     * Every regular {@code *.csv} file under {@code dir}, recursively, sorted by path. Linked folders
     * are followed (a data set kept elsewhere and linked into place is read like a copy); a link back
     * to a folder above it fails naming the link.
     */
    public static List<Path> under(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(p -> p.toString().endsWith(".csv") && Files.isRegularFile(p)).sorted().toList();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof FileSystemLoopException loop) {
                throw new IOException(String.format("%s: the link %s leads back to a folder above it", dir,
                        loop.getFile()), loop);
            }
            throw e.getCause();
        }
    }
}
