package io.patchcast.models.calf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;

/** Parity with the CALF reference code through {@link CalfVerifier} (calf fixtures README). */
class CalfParityTest {

    static final Path FIXTURES =
            Paths.get(System.getProperty("patchcast.calf.fixtures", "../../shared/fixtures/calf"));

    @Test
    void matchesEveryFixtureCheck() throws Exception {
        List<CalfCheck> checks = CalfVerifier.verify(FIXTURES, null);
        String report = checks.stream().map(CalfCheck::line).collect(Collectors.joining("\n"));
        System.out.println(report);
        assertThat(checks).extracting(CalfCheck::group).contains(
                "forward merged LoRA", "forward unmerged LoRA", "merged vs unmerged",
                "forward HF gpt2 backbone", "batch of one, time branch", "principal word embeddings",
                "train losses", "train gradients", "train params after step");
        assertThat(checks).filteredOn(c -> !c.pass()).as(report).isEmpty();
    }
}
