package io.patchcast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.calf.CalfArtifact;
import io.patchcast.models.calf.CalfConfig;
import io.patchcast.models.calf.CalfParameters;
import io.patchcast.models.calf.ConformalResiduals;
import io.patchcast.models.io.SafetensorsReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CALF artifact in the store opens as a multichannel forecaster with the reference forecast. */
class CalfInStoreTest {

    static final Path FIXTURES = Path.of(System.getProperty("patchcast.calf.fixtures", "../../shared/fixtures/calf"));
    static final List<String> CHANNELS = List.of("cpu{host=\"a\"}", "mem{host=\"a\"}", "disk{host=\"a\"}");

    @TempDir
    Path store;

    @Test
    void opensACalfVersionWithItsChannelsAndForecastsTheReference() throws Exception {
        Path dir = Files.createDirectories(store.resolve("calf-host-a").resolve("3"));
        CalfConfig c = CalfConfig.read(FIXTURES.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager();
                CalfParameters p = CalfParameters.load(c, FIXTURES.resolve("model_unmerged.safetensors"), null, m)) {
            CalfArtifact.write(dir, p, new float[c.nPca() * c.dModel()], CHANNELS,
                    ConformalResiduals.none(3, c.predLen()));
        }
        Manifest.of(dir, "calf-host-a", "3", ModelRegistry.CALF, Map.of("source", "fixture"), CalfArtifact.CONFIG,
                CalfArtifact.MODEL, CalfArtifact.WORD_EMBEDDING, CalfArtifact.CALIBRATION).write(dir);

        ModelStore s = new ModelStore(store);
        ModelRef ref = new ModelRef("calf-host-a", "3");
        // a rule must name the channels the version was trained on, in order
        assertThat(s.channels(ref)).containsExactlyElementsOf(CHANNELS);
        s.checkChannels(ref, CHANNELS.toArray(new String[0]));
        assertThatThrownBy(() -> s.checkChannels(ref, new String[] {CHANNELS.get(1), CHANNELS.get(0), CHANNELS.get(2)}))
                .hasMessageContaining("calf-host-a@3 is a multichannel model trained on channels " + CHANNELS);
        assertThatThrownBy(() -> s.checkChannels(ref, new String[0])).hasMessageEndingWith("the rule names none");
        assertThat(s.channels(ModelRef.SEASONAL_NAIVE)).isEmpty();
        s.checkChannels(ModelRef.SEASONAL_NAIVE, new String[] {"a", "b"}); // single-series: nothing to check

        try (Forecaster f = s.open(ref, "cpu", 1);
                SafetensorsReader inf = SafetensorsReader.open(FIXTURES.resolve("inference.safetensors"))) {
            assertThat(f.name()).isEqualTo("calf-host-a");
            assertThat(f.version()).isEqualTo("3");
            assertThat(f.channels()).containsExactlyElementsOf(CHANNELS);
            float[] x = inf.floats("input.x"); // (2, 96, 3)
            float[] expected = inf.floats("outputs_time"); // (2, 24, 3)
            List<ForecastRequest> group = new ArrayList<>();
            for (int ch = 0; ch < 3; ch++) {
                float[] v = new float[96];
                for (int t = 0; t < 96; t++) {
                    v[t] = x[(96 + t) * 3 + ch];
                }
                boolean[] o = new boolean[96];
                Arrays.fill(o, true);
                group.add(new ForecastRequest(CHANNELS.get(ch), 0L, v, o));
            }
            List<QuantileForecast> out = f.forecast(group, 16);
            for (int ch = 0; ch < 3; ch++) {
                for (int h = 0; h < 16; h++) {
                    assertThat(out.get(ch).mean()[h]).isCloseTo(expected[(24 + h) * 3 + ch], within(1e-4f));
                }
            }
        }
    }
}
