package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.ScoreCommandTest.Out;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Option values that picocli's types let through are usage errors (exit 2) naming the option. */
class ArgumentChecksTest {

    @TempDir
    Path tmp;

    @Test
    void verifyCommandsAcceptOnlyCpuOrGpu() {
        for (String cmd : new String[] {"verify-moirai", "verify-calf"}) {
            Out r = ScoreCommandTest.run(cmd, "--fixtures", tmp.toString(), "--device", "TPU");
            assertThat(r.code()).as(cmd).isEqualTo(2);
            assertThat(r.err()).as(cmd).contains("--device must be cpu or gpu, got 'TPU'");
        }
        // any case is fine: the fixture check comes next
        Out r = ScoreCommandTest.run("verify-moirai", "--fixtures", tmp.toString(), "--device", "CPU");
        assertThat(r.err()).contains("no model/ folder").doesNotContain("--device");
    }

    @Test
    void synthCountsAndLengthsArePositive() {
        for (String[] bad : new String[][] {{"--count", "0"}, {"--count", "-3"}, {"--length", "0"}, {"--length", "-5"}}) {
            Out r = ScoreCommandTest.run("synth", "--out", tmp.resolve("s").toString(), bad[0], bad[1]);
            assertThat(r.code()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(r.err()).contains(bad[0] + " must be at least 1, got " + bad[1]);
        }
    }

    @Test
    void trainDefaultStepsArePositiveAndThreadsNotNegative() {
        Out steps = ScoreCommandTest.run("train-default", "--steps", "0", "--out", tmp.resolve("m").toString());
        assertThat(steps.code()).isEqualTo(2);
        assertThat(steps.err()).contains("--steps must be at least 1, got 0");
        Out negative = ScoreCommandTest.run("train-default", "--steps", "-1", "--out", tmp.resolve("m").toString());
        assertThat(negative.err()).contains("--steps must be at least 1, got -1");
        Out threads = ScoreCommandTest.run("train-default", "--steps", "1", "--threads", "-1", "--out",
                tmp.resolve("m").toString());
        assertThat(threads.code()).isEqualTo(2);
        assertThat(threads.err()).contains("--threads must be at least 0, got -1");
        assertThat(tmp.resolve("m.work")).doesNotExist();
    }
}
