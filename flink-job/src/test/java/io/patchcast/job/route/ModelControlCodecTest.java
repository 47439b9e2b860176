package io.patchcast.job.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.source.DeadLetterRecord.Reason;
import io.patchcast.schema.ControlAction;
import io.patchcast.schema.ModelControl;
import io.patchcast.store.Manifest;
import io.patchcast.store.ModelRef;
import io.patchcast.store.ModelStore;
import io.patchcast.store.RouteRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelControlCodecTest {

    @TempDir
    Path store;

    ModelControlCodec codec;

    @BeforeEach
    void storeWithOneVersion() throws IOException {
        Path dir = Files.createDirectories(store.resolve("calf-db").resolve("2"));
        Files.writeString(dir.resolve("config.json"), "{}");
        Manifest.of(dir, "calf-db", "2", "calf", Map.of(), "config.json").write(dir);
        codec = new ModelControlCodec(new ModelStore(store));
    }

    static byte[] command(ControlAction a, String pattern, String model, String version, List<String> channels) {
        return ModelControlCodec.encode(ModelControl.newBuilder().setAction(a).setSeriesPattern(pattern)
                .setModel(model).setVersion(version).setChannels(channels)
                .setIssuedAt(Instant.ofEpochMilli(1234)).build());
    }

    @Test
    void routeToAVersionInTheStoreBecomesARule() {
        var d = codec.decode(command(ControlAction.ROUTE, "(cpu|mem)\\{host=\"db-1\"\\}", "calf-db", "2",
                List.of("cpu{host=\"db-1\"}", "mem{host=\"db-1\"}")));
        assertThat(d.reason()).isNull();
        assertThat(d.rule()).isEqualTo(RouteRule.route("(cpu|mem)\\{host=\"db-1\"\\}", new ModelRef("calf-db", "2"),
                new String[] {"cpu{host=\"db-1\"}", "mem{host=\"db-1\"}"}, 1234));
        var builtIn = codec.decode(command(ControlAction.ROUTE, "x", "seasonal-naive", "1", List.of()));
        assertThat(builtIn.rule().target()).isEqualTo(ModelRef.SEASONAL_NAIVE);
    }

    @Test
    void aCommandIssuedInTheFutureIsABadControlNotARulePinnedForGood() {
        long now = 1_800_000_000_000L;
        ModelControlCodec clocked = new ModelControlCodec(new ModelStore(store), () -> now);
        // issuedAt written in microseconds: year 58,000
        var micro = clocked.decode(ModelControlCodec.encode(ModelControl.newBuilder().setAction(ControlAction.ROUTE)
                .setSeriesPattern("cpu.*").setModel("seasonal-naive").setVersion("1").setChannels(List.of())
                .setIssuedAt(Instant.ofEpochMilli(now * 1000)).build()));
        assertThat(micro.rule()).isNull();
        assertThat(micro.reason()).isEqualTo(Reason.BAD_CONTROL);
        assertThat(micro.detail()).contains("ahead of this job's clock").contains("cpu.*");
        // clock skew within the hour is fine
        var skewed = clocked.decode(ModelControlCodec.encode(ModelControl.newBuilder().setAction(ControlAction.UNROUTE)
                .setSeriesPattern("cpu.*").setModel("").setVersion("").setChannels(List.of())
                .setIssuedAt(Instant.ofEpochMilli(now + 59 * 60_000)).build()));
        assertThat(skewed.reason()).isNull();
        assertThat(skewed.rule().isTombstone()).isTrue();
    }

    @Test
    void unrouteBecomesATombstoneWhateverItsModelField() {
        var d = codec.decode(command(ControlAction.UNROUTE, "cpu.*", "", "", List.of()));
        assertThat(d.rule().isTombstone()).isTrue();
        assertThat(d.rule().issuedAt()).isEqualTo(1234);
    }

    @Test
    void badCommandsGetAReasonAndADetail() {
        var unknown = codec.decode(command(ControlAction.ROUTE, "cpu.*", "calf-db", "3", List.of()));
        assertThat(unknown.reason()).isEqualTo(Reason.UNKNOWN_MODEL);
        assertThat(unknown.detail()).contains("ROUTE cpu.* -> calf-db@3: no such version in the model store");
        var pattern = codec.decode(command(ControlAction.ROUTE, "cpu(", "calf-db", "2", List.of()));
        assertThat(pattern.reason()).isEqualTo(Reason.BAD_CONTROL);
        assertThat(pattern.detail()).contains("series pattern 'cpu(' is not a Java regular expression");
        var path = codec.decode(command(ControlAction.ROUTE, "cpu", "..", "2", List.of()));
        assertThat(path.reason()).isEqualTo(Reason.BAD_CONTROL);
        assertThat(path.detail()).contains("must be one folder name");
        assertThat(codec.decode(new byte[] {1, 2, 3}).reason()).isEqualTo(Reason.UNDECODABLE);
        assertThat(codec.decode(new byte[0]).reason()).isEqualTo(Reason.UNDECODABLE);
        byte[] truncated = command(ControlAction.ROUTE, "cpu.*", "calf-db", "2", List.of());
        assertThat(codec.decode(java.util.Arrays.copyOf(truncated, 14)).reason()).isEqualTo(Reason.UNDECODABLE);
    }

    @Test
    void aVersionWhoseFilesCannotBeReadIsADeadLetterNotAFailure() throws IOException {
        // a version folder caught half-copied: the manifest is there, config.json is cut short
        Path dir = Files.createDirectories(store.resolve("calf-db").resolve("4"));
        Files.writeString(dir.resolve("config.json"), "{\"channels\": [\"cpu");
        Manifest.of(dir, "calf-db", "4", "calf", Map.of(), "config.json").write(dir);
        var d = codec.decode(command(ControlAction.ROUTE, "cpu.*", "calf-db", "4", List.of("cpu")));
        assertThat(d.rule()).isNull();
        assertThat(d.reason()).isEqualTo(Reason.BAD_CONTROL);
        assertThat(d.detail()).contains("ROUTE cpu.* -> calf-db@4: cannot read the version's files in the model store");
    }
}
