package io.patchcast.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeriesKeysTest {

    @Test
    void nameAloneWithoutLabels() {
        assertThat(SeriesKeys.of("up", Map.of())).isEqualTo("up");
        assertThat(SeriesKeys.of("up", null)).isEqualTo("up");
    }

    @Test
    void labelsAreSortedByName() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("zone", "eu-1");
        labels.put("app", "web");
        labels.put("instance", "10.0.0.1:9100");
        assertThat(SeriesKeys.of("cpu", labels))
                .isEqualTo("cpu{app=\"web\",instance=\"10.0.0.1:9100\",zone=\"eu-1\"}");
    }

    @Test
    void sameLabelsInAnyOrderGiveTheSameKey() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("b", "2");
        a.put("a", "1");
        Map<String, String> b = new HashMap<>();
        b.put("a", "1");
        b.put("b", "2");
        assertThat(SeriesKeys.of("m", a)).isEqualTo(SeriesKeys.of("m", b)).isEqualTo("m{a=\"1\",b=\"2\"}");
    }

    @Test
    void quotesBackslashesAndNewlinesInValuesAreEscaped() {
        assertThat(SeriesKeys.of("m", Map.of("path", "C:\\tmp \"x\"")))
                .isEqualTo("m{path=\"C:\\\\tmp \\\"x\\\"\"}");
        assertThat(SeriesKeys.of("m", Map.of("msg", "a\nb")))
                .isEqualTo("m{msg=\"a\\nb\"}");
    }

    @Test
    void escapingKeepsDistinctLabelSetsDistinct() {
        // unescaped, both would read m{a="x",b="y"}
        String injected = SeriesKeys.of("m", Map.of("a", "x\",b=\"y"));
        String real = SeriesKeys.of("m", Map.of("a", "x", "b", "y"));
        assertThat(injected).isNotEqualTo(real).isEqualTo("m{a=\"x\\\",b=\\\"y\"}");
    }

    @Test
    void emptyValueIsKept() {
        assertThat(SeriesKeys.of("m", Map.of("a", ""))).isEqualTo("m{a=\"\"}");
    }
}
