package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchcast.cli.ScoreCommandTest.Out;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateNabCommandTest {

    @TempDir
    Path tmp;

    static JsonNode lastJson(String out) throws Exception {
        String[] lines = out.strip().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }

    @Test
    void scoresNabDetectorResultsAsNabDoes() throws Exception {
        // the four numenta result files of the test resources; thresholds optimised on them alone
        Path dir = Path.of("src", "test", "resources", "nab-numenta");
        Out r = ScoreCommandTest.run("evaluate-nab", "--windows", dir.resolve("combined_windows.json").toString(),
                "--results", dir.resolve("numenta").toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = lastJson(r.out());
        assertThat(j.get("detector").asText()).isEqualTo("numenta");
        assertThat(j.get("files").asInt()).isEqualTo(4);
        assertThat(j.get("windows").asInt()).isEqualTo(8);
        assertThat(j.get("standard").get("score").asDouble()).isBetween(0.0, 100.0);
        assertThat(r.out()).contains("realKnownCause/nyc_taxi.csv");
        // one row per NAB data folder; their raw scores add up to the total; no score without windows
        assertThat(r.out()).contains("by folder, at the corpus threshold");
        double total = Double.parseDouble(r.out().replaceAll("(?s).*\\ntotal +\\| raw (-?[0-9.]+) .*", "$1"));
        double sum = 0;
        for (String folder : List.of("realAWSCloudwatch", "realKnownCause", "artificialWithAnomaly",
                "artificialNoAnomaly")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\n" + folder
                    + " +1 +(\\d+) \\| +\\d+ +\\d+ +\\d+ +(-?[0-9.]+) +(\\S+) \\|").matcher(r.out());
            assertThat(m.find()).as(folder + " row in%n%s", r.out()).isTrue();
            sum += Double.parseDouble(m.group(2));
            assertThat(m.group(3).equals("-")).isEqualTo(m.group(1).equals("0"));
        }
        assertThat(sum).isCloseTo(total, within(0.002));
    }

    @Test
    void runsTheJobOnLabelledFilesAndAlertPagesMatchAReplay() throws Exception {
        // two shipped files and their windows: the job's own scoring path, then NAB's scorer
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        for (String f : List.of("ec2_cpu_utilization_5f5533.csv", "rds_cpu_utilization_e47b3b.csv")) {
            Files.copy(ScoreCommandTest.NAB.resolve(f), data.resolve(f));
        }
        Out r = ScoreCommandTest.run("evaluate-nab", "--data", data.toString(), "--windows",
                ScoreCommandTest.NAB.resolve("labels.json").toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = lastJson(r.out());
        assertThat(j.get("files").asInt()).isEqualTo(2);
        assertThat(j.get("windows").asInt()).isEqualTo(4);
        for (String p : List.of("standard", "reward_low_FP_rate", "reward_low_FN_rate")) {
            assertThat(j.get(p).get("score").asDouble()).isBetween(-100.0, 100.0);
            assertThat(j.get("alerts").get(p).asDouble()).isBetween(-100.0, 100.0);
        }
        // the shipped defaults page in both windows of 5f5533 (here with seasonal-naive: no shipped model
        // under the test's patchcast.home; see README, Anomaly quality)
        assertThat(r.out()).containsPattern("ec2_cpu_utilization_5f5533.csv +2 \\|.*\\| +2 +\\d+ +-?[0-9.]+\\n");
    }

    @Test
    void replayedAlertsEqualTheRunsOwnAlerts() throws Exception {
        Path data = tmp.resolve("one");
        Files.createDirectories(data);
        Files.copy(ScoreCommandTest.NAB.resolve("ec2_cpu_utilization_5f5533.csv"), data.resolve("a.csv"));
        Files.writeString(tmp.resolve("w.json"), "{\"a.csv\": []}");
        JobDetector d = JobDetector.run(data, io.patchcast.cli.data.NabLabels.read(tmp.resolve("w.json")),
                new org.apache.flink.configuration.Configuration(), 0);
        double[] ownColumn = d.alertPages().get(0).anomalyScores();
        int[] own = java.util.stream.IntStream.range(0, ownColumn.length).filter(i -> ownColumn[i] == 1.0).toArray();
        assertThat(java.util.Arrays.stream(ownColumn).filter(v -> v != 0.0 && v != 1.0)).isEmpty();
        int[] replay = d.alertPageRows(0, io.patchcast.job.config.AnomalyOptions.THRESHOLD.defaultValue(),
                io.patchcast.job.PatchcastJob.alertPolicy(new org.apache.flink.configuration.Configuration()));
        assertThat(replay).containsExactly(own);
        assertThat(own).isNotEmpty();
    }

    @Test
    void readsOnlyLabelledFilesWarnsOfUnmatchedKeysAndWritesNullForNoScore() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.copy(ScoreCommandTest.NAB.resolve("ec2_cpu_utilization_5f5533.csv"), data.resolve("a.csv"));
        Files.writeString(data.resolve("notes.csv"), "name;comment\nx;not a series\n"); // not labelled: not read
        Path w = tmp.resolve("w.json");
        Files.writeString(w, "{\"a.csv\": [], \"gone.csv\": [], \"old/b.csv\": []}");
        Out r = ScoreCommandTest.run("evaluate-nab", "--data", data.toString(), "--windows", w.toString(), "--model",
                "seasonal-naive");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("evaluate-nab: warning: 2 key(s) of " + w + " match no file under " + data
                + ": gone.csv, old/b.csv");
        JsonNode j = lastJson(r.out()); // valid JSON: no window anywhere, so no normalised score
        assertThat(j.get("files").asInt()).isEqualTo(1);
        assertThat(j.get("standard").get("score").isNull()).as(j.toString()).isTrue();
        assertThat(j.get("alerts").get("standard").isNull()).isTrue();
    }

    @Test
    void malformedWindowsFileIsOneLineNamingFileAndKey() throws Exception {
        Path w = tmp.resolve("w.json");
        Files.writeString(w, "{\"a.csv\": [[\"2014-02-18 16:02:00\"]]}");
        Out r = ScoreCommandTest.run("evaluate-nab", "--data", tmp.toString(), "--windows", w.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("patchcast evaluate-nab: " + w + ": key 'a.csv': window 1 is "
                + "[\"2014-02-18 16:02:00\"]; expected [start, end] (two timestamps)" + System.lineSeparator());
    }

    /** evaluate-nab with seasonal-naive on one shipped file, a.csv, labelled by {@code windowsJson}. */
    private Out seasonalNaiveOnOneFile(String windowsJson, String... more) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        if (!Files.exists(data.resolve("a.csv"))) { // a test may run it more than once
            Files.copy(ScoreCommandTest.NAB.resolve("ec2_cpu_utilization_5f5533.csv"), data.resolve("a.csv"));
        }
        Path w = tmp.resolve("w.json");
        Files.writeString(w, windowsJson);
        List<String> args = new java.util.ArrayList<>(List.of("evaluate-nab", "--data", data.toString(), "--windows",
                w.toString(), "--model", "seasonal-naive"));
        args.addAll(List.of(more));
        return ScoreCommandTest.run(args.toArray(String[]::new));
    }

    @Test
    void aWindowThatStartsBetweenRowsFailsBeforeTheRun() throws Exception {
        // the file's rows are at minutes 02, 07, ...: NAB's sweep would silently skip a window from 10:00
        Out r = seasonalNaiveOnOneFile("{\"a.csv\": [[\"2014-02-20 10:00:00\", \"2014-02-20 12:02:00\"]]}");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("patchcast evaluate-nab: a.csv: window [2014-02-20 10:00:00, 2014-02-20 12:02:00]:"
                + " its start is not a timestamp of the file (the rows around it are 2014-02-20 09:57:00 and"
                + " 2014-02-20 10:02:00); a NAB window starts and ends on rows" + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void skipRowsScoresAsIfTheFilesStartedLater() throws Exception {
        // 1200 rows (100 h) of 5f5533 end at 2014-02-18 18:22, after its first window starts: that window goes
        String second = "[\"2014-02-24 10:17:00\", \"2014-02-25 02:57:00\"]";
        String both = "{\"a.csv\": [[\"2014-02-18 16:02:00\", \"2014-02-19 08:42:00\"], " + second + "]}";
        Path src = ScoreCommandTest.NAB.resolve("ec2_cpu_utilization_5f5533.csv");
        Path later = Files.createDirectories(tmp.resolve("later"));
        List<String> lines = Files.readAllLines(src);
        List<String> kept = new java.util.ArrayList<>(List.of(lines.get(0)));
        kept.addAll(lines.subList(1 + 1200, lines.size()));
        Files.write(later.resolve("a.csv"), kept);
        Path one = tmp.resolve("one.json");
        Files.writeString(one, "{\"a.csv\": [" + second + "]}");

        Out skipped = seasonalNaiveOnOneFile(both, "--skip-rows", "1200");
        Out started = ScoreCommandTest.run("evaluate-nab", "--data", later.toString(), "--windows", one.toString(),
                "--model", "seasonal-naive");
        assertThat(skipped.code()).as(skipped.err()).isZero();
        assertThat(started.code()).as(started.err()).isZero();
        assertThat(skipped.out()).isEqualTo(started.out());
        assertThat(lastJson(skipped.out()).get("windows").asInt()).isEqualTo(1);
        Out whole = seasonalNaiveOnOneFile(both);
        assertThat(lastJson(whole.out()).get("windows").asInt()).isEqualTo(2);
        assertThat(whole.out()).isNotEqualTo(skipped.out());

        Out tooMany = seasonalNaiveOnOneFile(both, "--skip-rows", "4032");
        assertThat(tooMany.code()).isEqualTo(1);
        assertThat(tooMany.err()).isEqualTo("patchcast evaluate-nab: a.csv: --skip-rows 4032 leaves no row (the file"
                + " has 4032)" + System.lineSeparator());
        Out negative = seasonalNaiveOnOneFile(both, "--skip-rows", "-1");
        assertThat(negative.code()).isEqualTo(2);
        assertThat(negative.err()).contains("--skip-rows must be 0 or more, got -1");
    }

    @Test
    void badResultFileRowsNameFileAndRow() throws Exception {
        Path det = Files.createDirectories(tmp.resolve("det"));
        Path f = det.resolve("det_x.csv");
        Path w = tmp.resolve("w.json");
        Files.writeString(w, "{\"x.csv\": []}");
        Files.writeString(f, "timestamp,value,anomaly_score\n2024-01-01 00:00:00,1,0.5\n2024-01-01 00:05:00,1,abc\n");
        Out r = ScoreCommandTest.run("evaluate-nab", "--windows", w.toString(), "--results", det.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("patchcast evaluate-nab: " + f + ":3: anomaly_score 'abc' is not a number"
                + System.lineSeparator());
        Files.writeString(f, "timestamp,value,anomaly_score\n2024-01-01 00:00:00,1,0.5\n2024-01-01 00:05:00,1\n");
        r = ScoreCommandTest.run("evaluate-nab", "--windows", w.toString(), "--results", det.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("patchcast evaluate-nab: " + f + ":3: 2 fields, expected at least 3");
    }

    @Test
    void missingThresholdsFileFailsBeforeScoring() throws Exception {
        Out r = seasonalNaiveOnOneFile("{\"a.csv\": []}", "--thresholds", tmp.resolve("nope.json").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--thresholds " + tmp.resolve("nope.json") + ": no such file");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void optionsThatResultsOrLooWouldIgnoreAreUsageErrors() throws Exception {
        Path dir = Path.of("src", "test", "resources", "nab-numenta");
        String windows = dir.resolve("combined_windows.json").toString();
        String results = dir.resolve("numenta").toString();
        Out loo = ScoreCommandTest.run("evaluate-nab", "--windows", windows, "--results", results, "--loo");
        assertThat(loo.code()).isEqualTo(2);
        assertThat(loo.err()).contains("--loo needs the job's scores").contains("cannot be used with --results");
        assertThat(loo.out()).isEmpty();
        Out model = ScoreCommandTest.run("evaluate-nab", "--windows", windows, "--results", results, "--model",
                "seasonal-naive");
        assertThat(model.code()).isEqualTo(2);
        assertThat(model.err()).contains("--model cannot be used with --results");
        Out all = ScoreCommandTest.run("evaluate-nab", "--windows", windows, "--results", results, "--data",
                tmp.toString(), "-c", "patchcast.anomaly.threshold=0.4", "--model", "seasonal-naive", "--skip-rows", "12");
        assertThat(all.code()).isEqualTo(2);
        assertThat(all.err()).contains("--data, --model, -c, --skip-rows cannot be used with --results: the detector's "
                + "anomaly_score column is scored as it is, the job does not run");
        assertThat(all.out()).isEmpty();

        Path data = Files.createDirectories(tmp.resolve("data"));
        Path thresholds = tmp.resolve("thresholds.json");
        Files.writeString(thresholds, "{\"patchcast/seasonal-naive\": {\"standard\": {\"threshold\": 0.5}, "
                + "\"reward_low_FP_rate\": {\"threshold\": 0.5}, \"reward_low_FN_rate\": {\"threshold\": 0.5}}}");
        String[] job = {"--windows", windows, "--data", data.toString(), "--model", "seasonal-naive"};
        assertUsageError(job, "--thresholds cannot be used with --loo", "--loo", "--thresholds", thresholds.toString());
        assertUsageError(job, "--profile reward_low_FP_rate cannot be used with --loo", "--loo", "--profile",
                "reward_low_FP_rate");
        assertUsageError(job, "several --skip-rows values need --loo", "--skip-rows", "0,12");
        assertUsageError(job, "--skip-rows lists a start twice: [12, 0, 12]", "--loo", "--skip-rows", "12,0,12");
        // the options alone still run: see the tests above
    }

    /** evaluate-nab with {@code common} and {@code more} is a usage error (exit 2) whose message contains {@code expected}. */
    private static void assertUsageError(String[] common, String expected, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("evaluate-nab"));
        args.addAll(List.of(common));
        args.addAll(List.of(more));
        Out r = ScoreCommandTest.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(expected);
    }

    @Test
    @Tag("slow") // a minute: the whole search, twice over
    void leaveOneOutAtSeveralStartsReportsEachStartAsEvaluateNabScoresIt() throws Exception {
        // the shortest shipped file and 5f5533 (4,032 rows, as short as any other), the search at two starts
        // (seasonal-naive: see above)
        Path data = Files.createDirectories(tmp.resolve("data"));
        for (String f : List.of("iio_us-east-1_i-a2eb1cd9_NetworkIn.csv", "ec2_cpu_utilization_5f5533.csv")) {
            Files.copy(ScoreCommandTest.NAB.resolve(f), data.resolve(f));
        }
        String labels = ScoreCommandTest.NAB.resolve("labels.json").toString();
        Out loo = ScoreCommandTest.run("evaluate-nab", "--data", data.toString(), "--windows", labels, "--model",
                "seasonal-naive", "--loo", "--skip-rows", "0,144");
        assertThat(loo.code()).as(loo.err()).isZero();
        JsonNode j = lastJson(loo.out());
        assertThat(j.get("files").asInt()).isEqualTo(2);
        assertThat(j.get("skip_rows").toString()).isEqualTo("[0,144]");
        assertThat(loo.out()).contains("chosen on all 2 files at 2 starts by the alert pages: ");
        for (String figure : List.of("anomaly_score_held_out", "alert_pages_held_out", "alert_pages_in_sample")) {
            JsonNode byStart = j.get(figure + "_by_start");
            assertThat(byStart.size()).as(figure).isEqualTo(2);
            assertThat(j.get(figure).asDouble()).as(figure)
                    .isCloseTo((byStart.get(0).asDouble() + byStart.get(1).asDouble()) / 2, within(0.0051));
        }
        // the in-sample pages at each start are what evaluate-nab prints there with the chosen defaults
        JsonNode d = j.get("defaults");
        List<String> defaults = new java.util.ArrayList<>();
        d.fields().forEachRemaining(e -> {
            String key = e.getKey();
            String value = e.getValue().asText();
            if (value.startsWith("PT")) {
                value = java.time.Duration.parse(value).toMinutes() + " min";
            }
            String prefix = List.of("k", "n", "recover-after", "cooldown").contains(key) ? "patchcast.alert."
                    : "patchcast.anomaly.";
            defaults.addAll(List.of("-c", prefix + key + "=" + value));
        });
        for (int s = 0; s < 2; s++) {
            List<String> args = new java.util.ArrayList<>(List.of("evaluate-nab", "--data", data.toString(),
                    "--windows", labels, "--model", "seasonal-naive", "--skip-rows", s == 0 ? "0" : "144"));
            args.addAll(defaults);
            Out at = ScoreCommandTest.run(args.toArray(String[]::new));
            assertThat(at.code()).as(at.err()).isZero();
            assertThat(lastJson(at.out()).get("alerts").get("standard").asDouble()).as("start %d", s)
                    .isCloseTo(j.get("alert_pages_in_sample_by_start").get(s).asDouble(), within(0.0051));
        }
    }
}
