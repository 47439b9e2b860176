package io.patchcast.store;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.NativeEngine;
import io.patchcast.models.calf.CalfArtifact;
import io.patchcast.models.calf.CalfForecaster;
import io.patchcast.models.fallback.SeasonalNaiveForecaster;
import io.patchcast.models.io.MoiraiMoEConfig;
import io.patchcast.models.moiraimoe.MoiraiMoeForecaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a model by its spec: a built-in name ({@code seasonal-naive}) or a model folder: Moirai-MoE,
 * or CALF (manifest type {@code calf}, a multichannel model, see {@link Forecaster#channels()}).
 *
 * <p>A folder with {@code manifest.json} is verified file by file (SHA-256) before anything is
 * loaded, and named by its manifest. A folder without one is taken as a released Hugging Face
 * checkpoint ({@code config.json} + {@code model.safetensors}, e.g. Salesforce/moirai-moe-1.0-R-small,
 * loaded unchanged): both files' SHA-256 are computed, logged, and become its version, so the random
 * draws of a forecast are tied to the exact model that produced it. A manifest must list every file
 * the model loads. A file that changed between its digest and the end of the load (a version copied
 * over one being loaded) fails the load ({@link FileStamps}), which is retried like any failed load.
 */
public final class ModelRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    public static final String SEASONAL_NAIVE = "seasonal-naive";
    public static final String MOIRAI_MOE = "moirai-moe";
    /** A CALF model of one channel group, as {@code train-calf} writes it. */
    public static final String CALF = "calf";
    /** The shipped model: {@link #DEFAULT_DIR} under {@code patchcast.home} (or the working folder). */
    public static final String DEFAULT = "default";
    /** Where the shipped model lives, relative to the project root. */
    public static final String DEFAULT_DIR = "model-store/default/patchcast-moirai-moe-s";
    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.safetensors";

    private ModelRegistry() {}

    /** A model on the default engine thread count. */
    public static Forecaster open(String spec, String device) {
        return open(spec, device, 0);
    }

    /**
     * @param device {@code cpu} or {@code gpu}
     * @param engineThreads threads one model computes on; 0 = one per core
     */
    public static Forecaster open(String spec, String device, int engineThreads) {
        if (SEASONAL_NAIVE.equals(spec) || "fallback".equals(spec)) {
            Forecaster f = new SeasonalNaiveForecaster();
            LOG.info("model loaded: {}@{} (built in)", f.name(), f.version());
            return f;
        }
        if (DEFAULT.equals(spec)) {
            Path dir = defaultDir();
            if (!Files.isDirectory(dir)) {
                LOG.warn("the shipped model is missing ({} not found; set patchcast.home to the project root):"
                        + " using {}", dir.toAbsolutePath(), SEASONAL_NAIVE);
                return open(SEASONAL_NAIVE, device, engineThreads);
            }
            return open(dir.toString(), device, engineThreads);
        }
        Path dir = Path.of(spec);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(String.format(
                    "model '%s' is neither a built-in model (%s, %s) nor a model folder", spec, SEASONAL_NAIVE,
                    DEFAULT));
        }
        // every model folder runs on PyTorch: load it first, so a JVM that cannot says why at once
        NativeEngine.pytorch();
        try {
            String name;
            String version;
            String type;
            FileStamps stamps; // taken before the digests; the load must read those very files
            if (Files.isRegularFile(dir.resolve(Manifest.FILE))) {
                ModelArtifact.Stamped verified = ModelArtifact.verifyStamped(dir);
                Manifest m = verified.artifact().manifest();
                stamps = verified.stamps();
                name = m.name();
                version = m.version();
                type = m.type();
                requireListed(dir, m, CONFIG, WEIGHTS);
                if (CALF.equals(type)) {
                    requireListed(dir, m, CalfArtifact.CALIBRATION);
                }
                LOG.info("model {}@{} verified: {}", name, version, m.files());
            } else {
                requireFile(dir, CONFIG);
                requireFile(dir, WEIGHTS);
                stamps = FileStamps.of(dir, List.of(CONFIG, WEIGHTS));
                String sha = Sha256.of(dir.resolve(WEIGHTS));
                String configSha = Sha256.of(dir.resolve(CONFIG));
                name = dir.toAbsolutePath().normalize().getFileName().toString();
                // both files: the same weights under another config are another model
                version = "sha256-" + Sha256.of((configSha + "\n" + sha).getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                        .substring(0, 12);
                type = detectType(dir);
                LOG.info("model folder {} has no {}: loading it as a released checkpoint, {} SHA-256 {}, {} SHA-256 {}",
                        dir, Manifest.FILE, CONFIG, configSha, WEIGHTS, sha);
            }
            if (CALF.equals(type)) {
                String calfName = name;
                String calfVersion = version;
                return stamps.loadUnchanged(() -> {
                    NDManager manager = NDManager.newBaseManager(device(device));
                    CalfForecaster f;
                    try {
                        f = CalfArtifact.load(dir, calfName, calfVersion, manager);
                    } catch (IOException | RuntimeException e) {
                        manager.close(); // the tensors read before the failure; a retried load would leak them
                        throw e;
                    }
                    LOG.info("model {}@{} loaded: CALF over channels {}", calfName, calfVersion, f.channels());
                    return f;
                });
            }
            if (!MOIRAI_MOE.equals(type)) {
                throw new IllegalArgumentException(String.format(
                        "%s: model type '%s' (%s@%s) is not supported by this build (supported: %s, %s)",
                        dir, type, name, version, MOIRAI_MOE, CALF));
            }
            return stamps.loadUnchanged(MoiraiMoeForecaster.builder()
                    .setCheckpoint(dir)
                    .setName(name)
                    .setVersion(version)
                    .setDevice(device(device))
                    .setEngineThreads(engineThreads)::build);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shipped model's folder: {@code ${patchcast.home:-.}/model-store/default/<name>}. */
    public static Path defaultDir() {
        return Path.of(System.getProperty("patchcast.home", ".")).resolve(DEFAULT_DIR);
    }

    static Device device(String device) {
        return switch (device) {
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> throw new IllegalArgumentException("device must be 'cpu' or 'gpu', got '" + device + "'");
        };
    }

    private static void requireFile(Path dir, String name) throws IOException {
        if (!Files.isRegularFile(dir.resolve(name))) {
            throw new IOException(String.format(
                    "%s: no %s; a model folder holds config.json and model.safetensors (and manifest.json)", dir, name));
        }
    }

    /** Every file the model loads must have been verified: listed in the manifest. */
    private static void requireListed(Path dir, Manifest m, String... files) throws IOException {
        for (String f : files) {
            if (!m.files().containsKey(f)) {
                throw new ArtifactVerificationException(String.format(
                        "%s: manifest.json does not list %s, which a %s model loads: every file loaded must be"
                                + " verified by its SHA-256 (it lists %s)", dir, f, m.type(), m.files().keySet()));
            }
        }
    }

    /** A Moirai-MoE config parses and names its patch sizes. */
    private static String detectType(Path dir) throws IOException {
        MoiraiMoEConfig.load(dir.resolve(CONFIG));
        return MOIRAI_MOE;
    }
}
