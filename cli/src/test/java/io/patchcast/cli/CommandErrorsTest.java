package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.ScoreCommandTest.Out;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failing command prints one line, {@code patchcast <command>: <message>}, and exits 1. */
class CommandErrorsTest {

    @TempDir
    Path tmp;

    @Test
    void missingInputIsOneLineWithoutAStackTrace() {
        Path missing = tmp.resolve("nope.csv");
        Out r = ScoreCommandTest.run("score", "--input", missing.toString(), "--output", tmp.resolve("o.csv").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("patchcast score: no such file: " + missing + System.lineSeparator());
    }

    @Test
    void directoryGivenAsAFileNamesThePath() {
        Out r = ScoreCommandTest.run("score", "--input", tmp.toString(), "--output", tmp.resolve("o.csv").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("patchcast score: " + tmp).contains("is a directory").doesNotContain("\tat ");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void debugAddsTheStackTrace() {
        StringWriter err = new StringWriter();
        int code = Patchcast.commandLine(true).setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true))
                .execute("score", "--input", tmp.resolve("nope.csv").toString(), "--output", tmp.resolve("o").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("java.nio.file.NoSuchFileException", "\tat ")
                .endsWith("patchcast score: no such file: " + tmp.resolve("nope.csv") + System.lineSeparator());
    }

    @Test
    void messageOfWrappersIsTheirCauses() {
        assertThat(CommandErrors.message(new UncheckedIOException(new NoSuchFileException("/x/a.csv"))))
                .isEqualTo("no such file: /x/a.csv");
        assertThat(CommandErrors.message(new RuntimeException(new IOException("disk full")))).isEqualTo("disk full");
        assertThat(CommandErrors.message(new UncheckedIOException("reading topic t", new IOException("bad record"))))
                .isEqualTo("reading topic t: bad record");
        assertThat(CommandErrors.message(new IllegalStateException("own message", new IOException("cause"))))
                .isEqualTo("own message");
        assertThat(CommandErrors.message(new FileSystemException("/x/out.csv", null, "Is a directory")))
                .isEqualTo("/x/out.csv: Is a directory");
        assertThat(CommandErrors.message(new IllegalStateException())).isEqualTo("java.lang.IllegalStateException");
    }
}
