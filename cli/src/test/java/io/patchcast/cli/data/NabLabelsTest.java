package io.patchcast.cli.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchcast.cli.report.TimeWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NabLabelsTest {

    @TempDir
    Path tmp;

    static final String W = "[\"2024-01-01 00:00:00\", \"2024-01-01 01:00:00\"]";

    private NabLabels labels(String... keys) {
        Map<String, List<TimeWindow>> w = new java.util.HashMap<>();
        for (String k : keys) {
            w.put(k, List.of(new TimeWindow(0, 1)));
        }
        return new NabLabels(w, Map.of());
    }

    @Test
    void fileNameFallbackOnlyWhenTheNameIsUnique() {
        // a/x.csv's windows never label b/x.csv
        assertThat(labels("a/x.csv").keysOf(List.of("a/x.csv", "b/x.csv"))).containsExactly(Map.entry("a/x.csv", "a/x.csv"));
        assertThat(labels("a/x.csv").keysOf(List.of("b/x.csv", "c/y.csv"))).containsExactly(Map.entry("b/x.csv", "a/x.csv"));
        assertThat(labels("x.csv").keysOf(List.of("b/x.csv", "c/x.csv"))).isEmpty();
        assertThat(labels("a/x.csv", "b/x.csv").keysOf(List.of("c/x.csv"))).isEmpty();
        assertThat(labels("a/x.csv", "y.csv").unmatchedKeys(List.of("a/x.csv", "b/x.csv"))).containsExactly("y.csv");
    }

    private IOException readFails(String json) throws Exception {
        Path f = tmp.resolve("w.json");
        Files.writeString(f, json);
        try {
            NabLabels.read(f);
        } catch (IOException e) {
            assertThat(e.getMessage()).startsWith(f + ": ");
            return e;
        }
        throw new AssertionError("no error for " + json);
    }

    @Test
    void malformedWindowsNameTheFileAndTheKey() throws Exception {
        assertThat(readFails("{\"x.csv\": [[\"2024-01-01 00:00:00\"]]}").getMessage())
                .contains("key 'x.csv': window 1 is [\"2024-01-01 00:00:00\"]; expected [start, end]");
        assertThat(readFails("{\"x.csv\": \"2024-01-01 00:00:00\"}").getMessage())
                .contains("key 'x.csv' has \"2024-01-01 00:00:00\"; expected a list of [start, end] windows");
        assertThat(readFails("{\"x.csv\": [" + W + ", [\"2024-01-02 00:00:00\", \"2024-01-01 00:00:00\"]]}").getMessage())
                .contains("key 'x.csv': window 2 ends (2024-01-01 00:00:00) before it starts (2024-01-02 00:00:00)");
        assertThat(readFails("{\"x.csv\": [[\"yesterday\", \"2024-01-01 00:00:00\"]]}").getMessage())
                .contains("key 'x.csv': window 1: timestamp 'yesterday' not understood").doesNotContain(":0:");
        assertThat(readFails("{\"x.csv\": [" + W).getMessage()).contains("not valid JSON at line 1");
        assertThat(readFails("{\"windows\": {\"x.csv\": [" + W + "]}, \"labels\": {\"x.csv\": [\"soon\"]}}").getMessage())
                .contains("key 'x.csv': label 1: timestamp 'soon' not understood");
    }

    @Test
    void readsBothLayouts() throws Exception {
        Path f = tmp.resolve("w.json");
        Files.writeString(f, "{\"windows\": {\"x.csv\": [" + W + "]}, \"labels\": {\"x.csv\": [\"2024-01-01 00:30:00\"]}}");
        NabLabels l = NabLabels.read(f);
        assertThat(l.windowsOf("x.csv")).containsExactly(new TimeWindow(1_704_067_200_000L, 1_704_070_800_000L));
        assertThat(l.labelsOf("x.csv")).containsExactly(1_704_069_000_000L);
        Files.writeString(f, "{\"a/x.csv\": [], \"b/y.csv\": [" + W + "]}");
        assertThat(NabLabels.read(f).windows()).containsOnlyKeys("a/x.csv", "b/y.csv");
    }

    @Test
    void windowsListedOutOfOrderAreSortedByStart() throws Exception {
        Path f = tmp.resolve("w.json");
        Files.writeString(f, "{\"x.csv\": [[\"2024-01-02 00:00:00\", \"2024-01-02 01:00:00\"], " + W + "]}");
        assertThat(NabLabels.read(f).windowsOf("x.csv")).containsExactly(
                new TimeWindow(1_704_067_200_000L, 1_704_070_800_000L),
                new TimeWindow(1_704_153_600_000L, 1_704_157_200_000L));
    }
}
