package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Smoke test of {@code bench} on the tiny fixture model; no speed assertion (CONVENTIONS §11). */
class BenchCommandTest {

    static final Path FIXTURE_MODEL =
            Path.of(System.getProperty("patchcast.fixtures", "../../shared/fixtures/moirai-moe"), "model");

    @Test
    void printsOneJsonLineLastWithAllFields() throws Exception {
        ScoreCommandTest.Out r = ScoreCommandTest.run("bench", "--config", FIXTURE_MODEL.toString(),
                "--context", "64", "--horizon", "16", "--batch", "1", "--threads", "1", "--seconds", "1",
                "--leak-check", "5");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSizeGreaterThan(1);
        JsonNode json = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        for (String field : List.of("model", "config", "context", "horizon", "samples", "batch", "threads",
                "device", "series_per_s", "baseline_series_per_s", "ratio", "peak_heap_mb", "peak_native_mb",
                "rss_mb", "rss_growth_mb", "native_growth_mb")) {
            assertThat(json.has(field)).as(field).isTrue();
        }
        assertThat(json.get("series_per_s").asDouble()).isPositive();
        assertThat(json.get("baseline_series_per_s").asDouble()).isPositive();
        assertThat(json.get("context").asInt()).isEqualTo(64);
        assertThat(json.get("batch").asInt()).isEqualTo(1);
    }
}
