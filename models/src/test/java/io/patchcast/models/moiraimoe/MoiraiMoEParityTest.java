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
        assertThat(report.cases()).hasSize(6);
        assertThat(report.failures()).as(report.summary()).isEmpty();
        assertThat(report.pass()).isTrue();
    }
}
