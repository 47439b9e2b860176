package io.patchcast.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.models.api.Forecaster;
import io.patchcast.models.moiraimoe.bench.RandomCheckpoint;
import java.nio.file.Path;
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
}
