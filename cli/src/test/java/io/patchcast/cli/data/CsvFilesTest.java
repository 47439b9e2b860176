package io.patchcast.cli.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CsvFiles}: the CSV files of a folder, linked folders included. */
class CsvFilesTest {

    @Test
    void linkedFoldersAreReadLikeCopies(@TempDir Path tmp) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data/realA"));
        Files.writeString(data.resolve("a.csv"), "timestamp,value\n");
        Files.writeString(data.resolve("notes.txt"), "not a series");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/realB"));
        Files.writeString(elsewhere.resolve("b.csv"), "timestamp,value\n");
        Files.createSymbolicLink(tmp.resolve("data/realB"), elsewhere);

        assertThat(CsvFiles.under(tmp.resolve("data"))).containsExactly(data.resolve("a.csv"),
                tmp.resolve("data/realB/b.csv"));
        assertThat(NabInput.list(tmp.resolve("data"))).containsExactly("realA/a.csv", "realB/b.csv");
    }

    @Test
    void aLinkBackUpTheTreeFailsNamingIt(@TempDir Path tmp) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data/sub"));
        Files.writeString(data.resolve("a.csv"), "timestamp,value\n");
        Files.createSymbolicLink(data.resolve("loop"), tmp.resolve("data"));

        assertThatThrownBy(() -> CsvFiles.under(tmp.resolve("data"))).isInstanceOf(IOException.class)
                .hasMessageContaining("loop").hasMessageContaining("leads back to a folder above it");
    }
}
