package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.ScoreCommandTest.Out;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Arguments of {@code demo} are checked before the broker and the cluster start (the run itself: DemoCommandITCase). */
class DemoCommandTest {

    @TempDir
    Path tmp;

    Path data;

    @BeforeEach
    void oneSmallFile() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 64; i++) {
            sb.append(1_700_000_000_000L + 300_000L * i).append(',').append(i % 7).append('\n');
        }
        Files.writeString(data.resolve("a.csv"), sb);
    }

    private Out demo(String... more) {
        String[] args = new String[more.length + 4];
        args[0] = "demo";
        args[1] = "--data";
        args[2] = data.toString();
        args[3] = "--no-bad-input";
        System.arraycopy(more, 0, args, 4, more.length);
        return ScoreCommandTest.run(args);
    }

    @Test
    void outThatIsAFileFailsFirst() throws Exception {
        Path file = Files.writeString(tmp.resolve("existing.html"), "x");
        Out r = demo("--out", file.toString(), "--model", "seasonal-naive");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--out " + file + " is a file");
    }

    @Test
    void parallelismBelowOneFailsFirst() {
        Out r = demo("--out", tmp.resolve("o").toString(), "--parallelism", "0", "--model", "seasonal-naive");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--parallelism must be at least 1, got 0");
        assertThat(tmp.resolve("o")).doesNotExist();
    }

    @Test
    void labelsGivenButMissingFail() {
        Out r = demo("--out", tmp.resolve("o").toString(), "--labels", tmp.resolve("nope.json").toString(),
                "--model", "seasonal-naive");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--labels " + tmp.resolve("nope.json") + ": no such file");
    }

    @Test
    void modelThatScoreRejectsIsRejectedFirst() {
        Out r = demo("--out", tmp.resolve("o").toString(), "--model", "/no/such/folder");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("patchcast demo: model '/no/such/folder' is neither a built-in model"
                + " (seasonal-naive, default) nor a model folder" + System.lineSeparator());
        assertThat(tmp.resolve("o")).doesNotExist();
    }
}
