package io.patchcast.models.moiraimoe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.nio.file.Paths;

/** Parity with the uni2ts reference through {@link MoiraiMoEVerifier} (fixtures README). */
class MoiraiMoEParityTest {

    static final Path FIXTURES =
            Paths.get(System.getProperty("patchcast.fixtures", "../../shared/fixtures/moirai-moe"));

    @Test
    void matchesEveryFixtureCase() throws Exception {
        MoiraiMoEVerifier.Report report = MoiraiMoEVerifier.verify(FIXTURES, null);
        System.out.println(report.summary());
        long caseFiles;
        try (var files = java.nio.file.Files.list(FIXTURES)) {
            caseFiles = files.filter(f -> f.getFileName().toString().matches("case_.*\\.json")).count();
        }
        assertThat(caseFiles).as("fixture cases in %s", FIXTURES).isPositive();
        assertThat(report.cases()).hasSize((int) caseFiles); // every case verified, however many the folder holds
        assertThat(report.failures()).as(report.summary()).isEmpty();
        assertThat(report.pass()).isTrue();
    }
}
