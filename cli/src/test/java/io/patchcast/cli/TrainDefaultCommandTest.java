package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.store.Manifest;
import io.patchcast.store.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class TrainDefaultCommandTest {

    @TempDir
    Path tmp;

    @Test
    void writesAVerifiedModelFolderThatTheRegistryOpens() throws Exception {
        Path out = tmp.resolve("m");
        ScoreCommandTest.Out r = ScoreCommandTest.run("train-default", "--steps", "2", "--seed", "3", "--out",
                out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.exists(tmp.resolve("m.work/checkpoint.safetensors"))).isTrue();
        Manifest m = Manifest.read(out);
        assertThat(m.type()).isEqualTo("moirai-moe");
        assertThat(m.files()).containsOnlyKeys("config.json", "model.safetensors");
        assertThat(m.recipe()).containsEntry("steps", 2).containsEntry("seed", 3).containsKey("final_loss");
        assertThat(Files.size(out.resolve("model.safetensors"))).isLessThan(20L << 20);
        try (Forecaster f = ModelRegistry.open(out.toString(), "cpu", 1)) {
            assertThat(f.name()).isEqualTo(TrainDefaultCommand.NAME);
            float[] v = new float[64];
            boolean[] o = new boolean[64];
            for (int i = 0; i < 64; i++) {
                v[i] = 10 + (i % 8);
                o[i] = true;
            }
            List<QuantileForecast> fc = f.forecast(List.of(new ForecastRequest("k", 0L, v, o)), 16);
            assertThat(fc.get(0).horizon()).isEqualTo(16);
        }
        // a second run with the same arguments resumes the finished checkpoint: same weights
        String sha = m.files().get("model.safetensors");
        ScoreCommandTest.Out again = ScoreCommandTest.run("train-default", "--steps", "2", "--seed", "3", "--out",
                out.toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("resuming at step 2");
        assertThat(Manifest.read(out).files().get("model.safetensors")).isEqualTo(sha);
    }
}
