package io.patchcast.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import io.patchcast.models.moiraimoe.bench.RandomCheckpoint;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryDefaultTest {

    @TempDir
    Path home;

    private final String saved = System.getProperty("patchcast.home");

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty("patchcast.home");
        } else {
            System.setProperty("patchcast.home", saved);
        }
    }

    @Test
    void missingShippedModelFallsBackToSeasonalNaive() {
        System.setProperty("patchcast.home", home.toString());
        try (Forecaster f = ModelRegistry.open(ModelRegistry.DEFAULT, "cpu")) {
            assertThat(f.name()).isEqualTo(ModelRegistry.SEASONAL_NAIVE);
        }
    }

    @Test
    void shippedModelResolvesUnderPatchcastHome() throws Exception {
        Path dir = home.resolve(ModelRegistry.DEFAULT_DIR);
        RandomCheckpoint.write(dir, 64, 32, 1, 5);
        Manifest.of(dir, "shipped", "7", ModelRegistry.MOIRAI_MOE, Map.of(), "config.json", "model.safetensors")
                .write(dir);
        System.setProperty("patchcast.home", home.toString());
        try (Forecaster f = ModelRegistry.open(ModelRegistry.DEFAULT, "cpu", 1)) {
            assertThat(f.name()).isEqualTo("shipped");
            assertThat(f.version()).isEqualTo("7");
        }
    }

    /**
     * The model this repository ships: its manifest verifies, and on a clean daily cycle (amplitude
     * 10, noise sd 1) its next-patch median is close (a flat forecast at the level would be off by
     * about 6 on average; seasonal naive by about 1.1).
     */
    @Test
    void theShippedModelVerifiesAndFollowsADailyCycle() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        ModelArtifact.verify(root.resolve(ModelRegistry.DEFAULT_DIR));
        System.setProperty("patchcast.home", root.toString());
        Random r = new Random(3);
        int n = 512 + 16;
        float[] v = new float[n];
        for (int t = 0; t < n; t++) {
            v[t] = (float) (50 + 10 * Math.sin(2 * Math.PI * t / 288) + r.nextGaussian());
        }
        boolean[] obs = new boolean[512];
        Arrays.fill(obs, true);
        try (Forecaster f = ModelRegistry.open(ModelRegistry.DEFAULT, "cpu", 1)) {
            assertThat(f.name()).isEqualTo("patchcast-moirai-moe-s");
            QuantileForecast q = f.forecast(List.of(new ForecastRequest(
                    "cycle", 0L, Arrays.copyOf(v, 512), obs)), 16).get(0);
            int mid = QuantileGrid.indexOf(0.5);
            double err = 0;
            for (int h = 0; h < 16; h++) {
                err += Math.abs(q.quantiles()[h * QuantileGrid.size() + mid] - v[512 + h]);
            }
            assertThat(err / 16).isLessThan(2.0);
        }
    }
}
