package io.patchcast.store;

import io.patchcast.models.api.Forecaster;
import io.patchcast.models.fallback.SeasonalNaiveForecaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a model by its spec: a built-in name ({@code seasonal-naive}) or a model version folder,
 * verified against its manifest before anything is loaded.
 */
public final class ModelRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    public static final String SEASONAL_NAIVE = "seasonal-naive";

    private ModelRegistry() {}

    public static Forecaster open(String spec, String device) {
        if (SEASONAL_NAIVE.equals(spec) || "fallback".equals(spec)) {
            Forecaster f = new SeasonalNaiveForecaster();
            LOG.info("model loaded: {}@{} (built in)", f.name(), f.version());
            return f;
        }
        Path dir = Path.of(spec);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(String.format(
                    "model '%s' is neither a built-in model (%s) nor a model folder", spec, SEASONAL_NAIVE));
        }
        try {
            ModelArtifact a = ModelArtifact.verify(dir);
            throw new IllegalArgumentException(String.format(
                    "%s: model type '%s' (%s@%s) is not supported by this build", dir,
                    a.manifest().type(), a.manifest().name(), a.manifest().version()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
