package io.patchcast.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.Patchcast;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/patchcast demo} as the README runs it: embedded broker, MiniCluster, shipped data. */
@Tag("slow")
class DemoCommandITCase {

    @TempDir
    Path out;

    @Test
    void demoPrintsItsSummaryAndWritesAReport() throws Exception {
        Path data = Path.of(System.getProperty("patchcast.root", "..")).resolve("data/nab-aws");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int code = Patchcast.run(new PrintWriter(stdout, true), new PrintWriter(stderr, true),
                "demo", "--data", data.toString(), "--out", out.toString());
        assertThat(code).as(stderr.toString()).isZero();

        Matcher m = Pattern.compile("demo: (\\d+) points, (\\d+) forecasts, (\\d+) flagged points, (\\d+) alerts, (\\d+) dead letters")
                .matcher(stdout.toString());
        assertThat(m.find()).as(stdout.toString()).isTrue();
        // 67,790 NAB rows + 50 bad-input records; 23 NAB rows share a grid slot with an earlier row
        assertThat(Long.parseLong(m.group(1))).isEqualTo(67_840);
        assertThat(Long.parseLong(m.group(2))).isEqualTo(4_216);
        assertThat(Long.parseLong(m.group(5))).isEqualTo(43);
        long flagged = Long.parseLong(m.group(3));
        assertThat(flagged).isPositive().isLessThan(67_797 / 10);

        String html = Files.readString(out.resolve("report.html"));
        assertThat(html.split("<svg", -1).length - 1).as("one chart per NAB series").isEqualTo(17);
        assertThat(html).doesNotContain("https://").doesNotContain("<script src");
    }
}
