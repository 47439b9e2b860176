package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.ScoreCommandTest.Out;
import io.patchcast.job.config.AnomalyOptions;
import io.patchcast.job.score.ScoreConfig;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class JobConfigMixinTest {

    @Test
    void unknownPatchcastKeyIsAUsageErrorSuggestingTheClosest() {
        Out r = ScoreCommandTest.run("score", "--input", ScoreCommandTest.NAB.resolve("ec2_cpu_utilization_24ae8d.csv")
                .toString(), "--output", Path.of("target", "never.csv").toString(), "-c", "patchcast.anomaly.methd=TAIL");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("patchcast.anomaly.methd", "did you mean patchcast.anomaly.method?");
    }

    @Test
    void keysAndValuesAreTrimmedAndFlinkKeysPassThrough() {
        ScoreCommand score = new ScoreCommand();
        new CommandLine(score).parseArgs("--input", "a.csv", "--output", "b.csv", "-c",
                " patchcast.anomaly.method = TAIL ", "-c", "taskmanager.numberOfTaskSlots=3");
        Configuration c = score.job.configuration();
        assertThat(c.get(AnomalyOptions.METHOD)).isEqualTo(ScoreConfig.Method.TAIL);
        assertThat(c.toMap()).containsEntry("taskmanager.numberOfTaskSlots", "3");
    }

    @Test
    void knowsEveryJobOption() {
        assertThat(JobConfigMixin.knownKeys()).contains("patchcast.model", "patchcast.anomaly.method",
                "patchcast.patch.context-length", "patchcast.route.rules", "patchcast.job.name").doesNotHaveDuplicates();
        assertThat(JobConfigMixin.editDistance("kitten", "sitting")).isEqualTo(3);
    }
}
