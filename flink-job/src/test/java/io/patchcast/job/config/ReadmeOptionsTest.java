package io.patchcast.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;

/** The README's configuration table lists every job option with its current default. */
class ReadmeOptionsTest {

    static List<ConfigOption<?>> options() {
        return AllOptions.all();
    }

    static String row(ConfigOption<?> o) {
        Object d = o.hasDefaultValue() ? o.defaultValue() : null;
        String def = d == null ? "(required)" : d instanceof Duration dur ? TimeUtils.formatWithHighestUnit(dur) : d.toString();
        return "| `" + o.key() + "` | `" + def + "` |";
    }

    @Test
    void readmeListsEveryOptionWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> missing = new ArrayList<>();
        for (ConfigOption<?> o : options()) {
            if (!readme.contains(row(o))) {
                missing.add(row(o) + " " + new org.apache.flink.configuration.description.HtmlFormatter().format(o.description()).replaceAll("\\s+", " ").replace("|", "\\|") + " |");
            }
        }
        assertThat(missing).as("README rows to add or fix (key, default, description):%n%s",
                String.join("\n", missing)).isEmpty();
    }
}
