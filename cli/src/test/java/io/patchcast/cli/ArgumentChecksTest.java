package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.ScoreCommandTest.Out;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** train-calf on two files with the given channel options; small and short should it ever train. */
    private Out trainCalf(Path a, Path b, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train-calf", "--input", a.toString(), b.toString(),
                "--out", tmp.resolve("store").toString(), "--epochs", "1", "--d-model", "24", "--compare-model", "none"));
        args.addAll(List.of(more));
        return ScoreCommandTest.run(args.toArray(String[]::new));
    }

    @Test
    void trainCalfRefusesTwoChannelsOfOneName() throws Exception {
        Path cpu = ScoreCommandTest.NAB.resolve("ec2_cpu_utilization_24ae8d.csv");
        Path a = Files.copy(cpu, Files.createDirectories(tmp.resolve("a")).resolve("cpu.csv"));
        Path b = Files.copy(cpu, Files.createDirectories(tmp.resolve("b")).resolve("cpu.csv"));
        Out sameFileName = trainCalf(a, b);
        assertThat(sameFileName.code()).as(sameFileName.err()).isEqualTo(2);
        assertThat(sameFileName.err()).contains("--input " + a + " and " + b + " are both channel 'cpu'")
                .contains("give --channels");
        Out sameFileTwice = trainCalf(a, a);
        assertThat(sameFileTwice.code()).isEqualTo(2);
        assertThat(sameFileTwice.err()).contains("are both channel 'cpu'");
        Out sameKey = trainCalf(a, b, "--channels", "cpu{host=\"x\"},cpu{host=\"x\"}");
        assertThat(sameKey.code()).isEqualTo(2);
        assertThat(sameKey.err()).contains("--channels names 'cpu{host=\"x\"}' twice");
        Out empty = trainCalf(a, b, "--channels", ",cpu");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("channel 1 of 2 has an empty name (--channels ,cpu)");
        Out count = trainCalf(a, b, "--channels", "cpu");
        assertThat(count.code()).isEqualTo(2);
        assertThat(count.err()).contains("--channels names 1 series, --input has 2 files");
        assertThat(tmp.resolve("store")).doesNotExist();
    }
}
