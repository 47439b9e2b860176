package io.patchcast.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.Patchcast;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's Anomaly quality tables are what {@code bin/patchcast evaluate-nab} prints on the shipped
 * AWS files, not typed: each block under its command line is compared with a fresh run of that command,
 * number by number. A number may differ by two units of its last printed digit, a full-precision one
 * by 1e-5 (the model's kernels sum in the CPU's vector width, so another CPU may round a forecast
 * differently in the last bits; a changed detection moves a file's raw score by far more).
 */
@Tag("slow")
class ReadmeAnomalyQualityITCase {

    private static final Path ROOT = Path.of(System.getProperty("patchcast.root", ".."));
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Pattern SPLIT = Pattern.compile("(?<=[\\s{}\\[\\]:,|\"])|(?=[\\s{}\\[\\]:,|\"])");

    @Test
    void shippedModelTableIsTheCommandsOutput() throws Exception {
        String command = "bin/patchcast evaluate-nab --data data/nab-aws --windows data/nab-aws/labels.json";
        List<String> readme = readmeBlock(command + "`):");
        // the whole block: two header lines, a row per file, the total, NAB score and JSON lines
        assertThat(readme).hasSize(2 + 17 + 3);
        assertSameNumbers(readme, lastLines(run(command), readme.size()));
    }

    @Test
    void seasonalNaiveLinesAreTheCommandsOutput() throws Exception {
        String command = "bin/patchcast evaluate-nab --model seasonal-naive --data data/nab-aws --windows data/nab-aws/labels.json";
        List<String> readme = readmeBlock(command + "`; last lines):");
        assertThat(readme).hasSize(3);
        assertSameNumbers(readme, lastLines(run(command), readme.size()));
    }

    /** The fenced block that follows the line holding {@code marker}. */
    static List<String> readmeBlock(String marker) throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                assertThat(at).as("README names %s once", marker).isEqualTo(-1);
                at = i;
            }
        }
        assertThat(at).as("README has a line with %s", marker).isNotNegative();
        int open = at + 1;
        while (!lines.get(open).equals("```")) {
            open++;
        }
        int close = open + 1;
        while (!lines.get(close).equals("```")) {
            close++;
        }
        return lines.subList(open + 1, close);
    }

    /** Runs a README command line in process, as bin/patchcast does (patchcast.home = the checkout). */
    private static List<String> run(String commandLine) {
        String[] args = commandLine.substring("bin/patchcast ".length()).split(" ");
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("data/")) {
                args[i] = ROOT.resolve(args[i]).toString();
            }
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String home = System.getProperty("patchcast.home");
        System.setProperty("patchcast.home", ROOT.toString()); // 'default' = the shipped model
        int code;
        try {
            code = Patchcast.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        } finally {
            if (home == null) {
                System.clearProperty("patchcast.home");
            } else {
                System.setProperty("patchcast.home", home);
            }
        }
        assertThat(code).as(err.toString()).isZero();
        return Arrays.asList(out.toString().split("\n"));
    }

    private static List<String> lastLines(List<String> lines, int n) {
        assertThat(lines.size()).as(String.join("\n", lines)).isGreaterThanOrEqualTo(n);
        return lines.subList(lines.size() - n, lines.size());
    }

    /**
     * Same tokens line by line; a number may differ by two units of the last digit the README prints,
     * a full-precision one (the JSON line's thresholds) by 1e-5.
     */
    static void assertSameNumbers(List<String> readme, List<String> actual) {
        assertThat(actual).hasSameSizeAs(readme);
        for (int i = 0; i < readme.size(); i++) {
            List<String> want = tokens(readme.get(i));
            List<String> got = tokens(actual.get(i));
            String where = "README line\n" + readme.get(i) + "\nprinted\n" + actual.get(i);
            assertThat(got).as(where).hasSameSizeAs(want);
            for (int j = 0; j < want.size(); j++) {
                String w = want.get(j);
                String g = got.get(j);
                if (NUMBER.matcher(w).matches() && NUMBER.matcher(g).matches()) {
                    int dot = w.indexOf('.');
                    int decimals = dot < 0 ? 0 : w.length() - dot - 1;
                    double tolerance = decimals == 0 ? 0 : decimals > 6 ? 1e-5 : 2 * Math.pow(10, -decimals);
                    assertThat(Math.abs(Double.parseDouble(g) - Double.parseDouble(w))).as(where)
                            .isLessThanOrEqualTo(tolerance);
                } else {
                    assertThat(g).as(where).isEqualTo(w);
                }
            }
        }
    }

    private static List<String> tokens(String line) {
        List<String> t = new ArrayList<>();
        for (String s : SPLIT.split(line.strip())) {
            if (!s.isBlank()) {
                t.add(s);
            }
        }
        return t;
    }
}
