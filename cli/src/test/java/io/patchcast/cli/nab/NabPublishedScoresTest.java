package io.patchcast.cli.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.patchcast.cli.data.NabLabels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Our scorer against NAB's own per-file numbers: the numenta (HTM) detector's published anomaly
 * scores for four files, scored at NAB's published thresholds, must give the raw score and row
 * counts of NAB's {@code results/numenta/numenta_<profile>_scores.csv} (test resources, MIT, see
 * their README).
 */
class NabPublishedScoresTest {

    static final Path DIR = Path.of("src", "test", "resources", "nab-numenta");
    static final Map<String, Double> THRESHOLD = Map.of(
            "standard", 0.5421876907348634,
            "reward_low_FN_rate", 0.5421876907348634,
            "reward_low_FP_rate", 0.5751955032348636);

    @Test
    void perFileScoresMatchNabsScoresCsv() throws Exception {
        NabLabels labels = NabLabels.read(DIR.resolve("combined_windows.json"));
        List<DetectorFile> files = DetectorResults.read(DIR.resolve("numenta"), labels);
        assertThat(files).hasSize(4);
        List<String> rows = Files.readAllLines(DIR.resolve("numenta_scores.csv"));
        int checked = 0;
        for (String row : rows.subList(1, rows.size())) {
            String[] c = row.split(",");
            Profile profile = Profile.byName(c[1]);
            ProfileScore s = new CorpusScorer().scoreAt(files, profile, THRESHOLD.get(c[1]));
            Map<String, FileScore> byFile = s.files().stream()
                    .collect(Collectors.toMap(FileScore::relativePath, f -> f));
            ThresholdScore ours = byFile.get(c[2]).score();
            assertThat(ours.score()).as(row).isCloseTo(Double.parseDouble(c[4]), within(1e-9));
            assertThat(List.of(ours.tp(), ours.tn(), ours.fp(), ours.fn())).as(row)
                    .containsExactly(Integer.parseInt(c[5]), Integer.parseInt(c[6]), Integer.parseInt(c[7]),
                            Integer.parseInt(c[8]));
            // Total_Count in these CSVs (written by an older NAB) counts probationary rows too; the
            // current sweeper's total, like ours, is tp + tn + fp + fn of the scored rows
            assertThat(ours.total()).isEqualTo(ours.tp() + ours.tn() + ours.fp() + ours.fn());
            checked++;
        }
        assertThat(checked).isEqualTo(12);
    }
}
