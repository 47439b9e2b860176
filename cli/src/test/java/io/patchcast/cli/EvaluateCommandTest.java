package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {

    @TempDir
    Path tmp;

    @Test
    void seasonalNaiveAgainstItselfOnTwoFiles() throws Exception {
        Path sub = Files.createDirectories(tmp.resolve("a/b"));
        // hourly data, 5 days: daily season 24 plus a trend (a constant day-to-day change of 2.4)
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 24 * 5; i++) {
            csv.append(String.format(java.util.Locale.ROOT, "2024-01-%02d %02d:00:00,%.1f%n", 1 + i / 24, i % 24, 10 + (i % 24) + 0.1 * i));
        }
        Files.writeString(sub.resolve("s1.csv"), csv);
        Files.copy(ScoreCommandTest.NAB.resolve("ec2_cpu_utilization_24ae8d.csv"), tmp.resolve("cpu.csv"));
        ScoreCommandTest.Out r = ScoreCommandTest.run("evaluate", "--data", tmp.toString(), "--model", "seasonal-naive");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        String json = lines.get(lines.size() - 1);
        Matcher m = Pattern.compile("\\{\"files\":2,\"mase\":([0-9.]+),\"crps\":([0-9.]+),\"mase_naive\":([0-9.]+),"
                + "\"crps_naive\":([0-9.]+),\"coverage\":\\{\"0.8\":([0-9.]+),\"0.95\":([0-9.]+),\"0.99\":([0-9.]+)}}")
                .matcher(json);
        assertThat(m.matches()).as(json).isTrue();
        assertThat(m.group(1)).isEqualTo(m.group(3));
        assertThat(m.group(2)).isEqualTo(m.group(4));
        assertThat(r.out()).contains("s1.csv").contains("cpu.csv").contains("MASE 1.000, CRPS 1.000");
    }

    @Test
    void valuesTheJobRejectsAreMissingNotACrash() throws Exception {
        List<String> rows = new java.util.ArrayList<>(ScoreCommandTest.small());
        for (int i : new int[] {100, 200, 250}) {
            rows.set(i, rows.get(i).split(",")[0] + (i == 100 ? ",Infinity" : i == 200 ? ",1e39" : ",-Infinity"));
        }
        Path f = tmp.resolve("inf.csv");
        Files.write(f, rows);
        ScoreCommandTest.Out r = ScoreCommandTest.run("evaluate", "--data", f.toString(), "--model", "seasonal-naive");
        assertThat(r.code()).as(r.err()).isZero();
        com.fasterxml.jackson.databind.JsonNode j = EvaluateNabCommandTest.lastJson(r.out());
        assertThat(j.get("files").asInt()).isEqualTo(1);
        assertThat(j.get("mase").isNumber()).as(j.toString()).isTrue();
        assertThat(j.get("crps").asDouble()).isFinite().isPositive();
    }

    @Test
    void noCsvFileIsAnError() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        ScoreCommandTest.Out r = ScoreCommandTest.run("evaluate", "--data", empty.toString(), "--model", "seasonal-naive");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("patchcast evaluate: no .csv files under " + empty + System.lineSeparator());
    }

    @Test
    void jsonLineHasNullWhereThereIsNoNumber() throws Exception {
        java.io.StringWriter w = new java.io.StringWriter();
        EvaluateCommand.print(new java.io.PrintWriter(w, true), List.of());
        com.fasterxml.jackson.databind.JsonNode j = EvaluateNabCommandTest.lastJson(w.toString());
        assertThat(j.get("files").asInt()).isZero();
        assertThat(j.get("mase").isNull()).isTrue();
        assertThat(j.get("coverage").get("0.8").isNull()).isTrue();
    }
}
