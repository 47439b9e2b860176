package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreCommandTest {

    static final Path NAB = Path.of("..", "data", "nab-aws");

    @TempDir
    Path tmp;

    record Out(int code, String out, String err) {}

    static Out run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Patchcast.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Out(code, out.toString(), err.toString());
    }

    @Test
    void writesOneRowPerInputRowInOrder() throws Exception {
        // this file has 11 repeated timestamps: they still get a row (score 0, never flagged)
        Path in = NAB.resolve("ec2_disk_write_bytes_1ef3de.csv");
        Path outFile = tmp.resolve("out.csv");
        Out r = run("score", "--input", in.toString(), "--output", outFile.toString());
        assertThat(r.code()).as(r.err()).isZero();

        List<String> input = Files.readAllLines(in);
        List<String> output = Files.readAllLines(outFile);
        assertThat(output.get(0)).isEqualTo("timestamp,value,expected,lower,upper,anomaly_score,flagged,alert");
        assertThat(output).hasSize(input.size());
        int flagged = 0;
        int scored = 0;
        for (int i = 1; i < input.size(); i++) {
            String[] src = input.get(i).split(",");
            String[] row = output.get(i).split(",", -1);
            assertThat(row).hasSize(8);
            assertThat(row[0]).isEqualTo(src[0]);
            assertThat(Double.parseDouble(row[1])).isEqualTo(Double.parseDouble(src[1]));
            double score = Double.parseDouble(row[5]);
            assertThat(score).as("row %d", i).isBetween(0.0, 1.0);
            assertThat(row[7]).isIn("0", "1");
            if (i <= 32) {
                // warm-up: less than two patches of context
                assertThat(row[2]).isEmpty();
                assertThat(score).isZero();
                assertThat(row[6]).isEqualTo("false");
            }
            if (!row[2].isEmpty()) {
                scored++;
                double lower = Double.parseDouble(row[3]);
                double upper = Double.parseDouble(row[4]);
                assertThat(lower).as("row %d", i).isLessThanOrEqualTo(Double.parseDouble(row[2])).isLessThanOrEqualTo(upper);
                // flagged iff anomaly_score >= patchcast.anomaly.threshold (its default)
                double threshold = io.patchcast.job.config.AnomalyOptions.THRESHOLD.defaultValue();
                assertThat(Boolean.parseBoolean(row[6])).as("row %d", i).isEqualTo(score >= threshold);
                flagged += score >= threshold ? 1 : 0;
            }
        }
        assertThat(scored).isGreaterThan(input.size() - 100);
        assertThat(flagged).isPositive().isLessThan(scored / 20);
    }

    @Test
    void tailMethodFlagsOutsideTheCentralInterval() throws Exception {
        Path in = NAB.resolve("ec2_cpu_utilization_5f5533.csv");
        Path outFile = tmp.resolve("tail.csv");
        Out r = run("score", "--input", in.toString(), "--output", outFile.toString(),
                "-c", "patchcast.anomaly.method=TAIL");
        assertThat(r.code()).as(r.err()).isZero();
        int outside = 0;
        for (String line : Files.readAllLines(outFile).subList(1, Files.readAllLines(outFile).size())) {
            String[] row = line.split(",", -1);
            if (row[2].isEmpty()) {
                continue;
            }
            double v = Double.parseDouble(row[1]);
            boolean out = v < Double.parseDouble(row[3]) || v > Double.parseDouble(row[4]);
            assertThat(Boolean.parseBoolean(row[6])).as(line).isEqualTo(out);
            outside += out ? 1 : 0;
        }
        assertThat(outside).isPositive();
    }

    @Test
    void badHeaderFailsWithAClearMessage() throws Exception {
        Path in = tmp.resolve("bad.csv");
        Files.writeString(in, "time;value\n2024-01-01 00:00:00;1\n");
        Out r = run("score", "--input", in.toString(), "--output", tmp.resolve("o.csv").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("expected 'timestamp,value'");
    }

    @Test
    void anOutputThatIsTheInputIsRefusedAndTheInputKept() throws Exception {
        Path in = tmp.resolve("in.csv");
        Files.write(in, small());
        byte[] before = Files.readAllBytes(in);
        Files.createDirectories(tmp.resolve("sub"));
        Path link = Files.createSymbolicLink(tmp.resolve("link.csv"), in);
        for (Path out : List.of(in, tmp.resolve("sub").resolve("..").resolve("in.csv"), link,
                Path.of("").toAbsolutePath().relativize(in))) {
            Out r = run("score", "--input", in.toString(), "--output", out.toString(), "--model", "seasonal-naive");
            assertThat(r.code()).as(out + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(out.toString()).contains("--output " + out + " is the --input file");
            assertThat(Files.readAllBytes(in)).as(out.toString()).isEqualTo(before);
        }
        // through the link the other way round, too
        Out r = run("score", "--input", link.toString(), "--output", in.toString(), "--model", "seasonal-naive");
        assertThat(r.code()).isEqualTo(2);
        assertThat(Files.readAllBytes(in)).isEqualTo(before);
    }

    /** The header and first 300 rows of a shipped file. */
    static List<String> small() throws Exception {
        return Files.readAllLines(NAB.resolve("ec2_cpu_utilization_24ae8d.csv")).subList(0, 301);
    }

    @Test
    void rejectedRowsAreCountedPerReason() throws Exception {
        List<String> rows = new java.util.ArrayList<>(small());
        java.util.Collections.reverse(rows.subList(1, rows.size())); // newest first: late after the first few
        rows.set(1, rows.get(1).split(",")[0] + ",Infinity");
        Path in = tmp.resolve("reversed.csv");
        Files.write(in, rows);
        Path outFile = tmp.resolve("o.csv");
        Out r = run("score", "--input", in.toString(), "--output", outFile.toString(), "--model", "seasonal-naive");
        assertThat(r.code()).as(r.err()).isZero();
        long empty = Files.readAllLines(outFile).stream().skip(1).filter(l -> l.split(",", -1)[2].isEmpty()).count();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "score: (\\d+) of 300 rows rejected \\(LATE (\\d+), NON_FINITE 1\\); they are written with empty "
                        + "expected/lower/upper").matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo(Integer.parseInt(m.group(2)) + 1).isGreaterThan(280)
                .isLessThanOrEqualTo((int) empty);
        // nothing rejected: nothing said
        Out clean = run("score", "--input", NAB.resolve("ec2_cpu_utilization_5f5533.csv").toString(), "--output",
                outFile.toString(), "--model", "seasonal-naive");
        assertThat(clean.err()).doesNotContain("rejected");
    }

    @Test
    void csvWithExtraColumnsOrQuotesIsScoredAndABadValueIsAnError() throws Exception {
        List<String> rows = small();
        List<String> extra = new java.util.ArrayList<>(List.of(rows.get(0) + ",host"));
        rows.subList(1, rows.size()).forEach(l -> extra.add("\"" + l.replace(",", "\",\"") + "\",h1"));
        Path in = tmp.resolve("extra.csv");
        Files.write(in, extra);
        Path outFile = tmp.resolve("o.csv");
        Out r = run("score", "--input", in.toString(), "--output", outFile.toString(), "--model", "seasonal-naive");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> out = Files.readAllLines(outFile);
        assertThat(out.get(1)).isEqualTo(rows.get(1).split(",")[0] + "," + Double.parseDouble(rows.get(1).split(",")[1])
                + ",,,,0,false,0");
        assertThat(out.subList(1, out.size())).noneMatch(l -> l.split(",", -1)[1].isEmpty());

        List<String> bad = new java.util.ArrayList<>(rows);
        bad.set(5, bad.get(5).split(",")[0] + ",abc");
        Files.write(in, bad);
        Out e = run("score", "--input", in.toString(), "--output", outFile.toString(), "--model", "seasonal-naive");
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.err()).startsWith("patchcast score: " + in + ":6: value 'abc' is not a number");
    }

    @Test
    void helpListsTheCommands() {
        Out r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("demo", "score");
    }
}
