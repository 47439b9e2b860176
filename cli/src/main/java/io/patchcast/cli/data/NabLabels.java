package io.patchcast.cli.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchcast.cli.report.TimeWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Labelled anomaly windows in NAB's layout: either {@code combined_windows.json} (file → list of
 * [start, end]) or the shipped {@code labels.json} ({"windows": {...}, "labels": {...}}).
 */
public record NabLabels(Map<String, List<TimeWindow>> windows, Map<String, List<Long>> labels) {

    public static NabLabels read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        JsonNode w = root.has("windows") ? root.get("windows") : root;
        Map<String, List<TimeWindow>> windows = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = w.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<TimeWindow> list = new ArrayList<>();
            for (JsonNode pair : e.getValue()) {
                list.add(new TimeWindow(parse(pair.get(0).asText(), file), parse(pair.get(1).asText(), file)));
            }
            windows.put(e.getKey(), list);
        }
        Map<String, List<Long>> labels = new HashMap<>();
        if (root.has("labels")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get("labels").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                List<Long> list = new ArrayList<>();
                for (JsonNode t : e.getValue()) {
                    list.add(parse(t.asText(), file));
                }
                labels.put(e.getKey(), list);
            }
        }
        return new NabLabels(windows, labels);
    }

    /** Windows of a data file, matched by its path relative to the data folder or its file name. */
    public List<TimeWindow> windowsOf(String relativePath) {
        return lookup(windows, relativePath);
    }

    /** Whether the windows file has an entry (possibly empty) for this data file. */
    public boolean labelled(String relativePath) {
        return windows.containsKey(relativePath) || !lookupKey(windows, relativePath).isEmpty();
    }

    private static <T> String lookupKey(Map<String, List<T>> m, String rel) {
        String name = Path.of(rel).getFileName().toString();
        for (String k : m.keySet()) {
            if (Path.of(k).getFileName().toString().equals(name)) {
                return k;
            }
        }
        return "";
    }

    public List<Long> labelsOf(String relativePath) {
        return lookup(labels, relativePath);
    }

    private static <T> List<T> lookup(Map<String, List<T>> m, String rel) {
        if (m.containsKey(rel)) {
            return m.get(rel);
        }
        String name = Path.of(rel).getFileName().toString();
        for (Map.Entry<String, List<T>> e : m.entrySet()) {
            if (Path.of(e.getKey()).getFileName().toString().equals(name)) {
                return e.getValue();
            }
        }
        return List.of();
    }

    private static long parse(String t, Path file) throws IOException {
        return CsvSeries.parseTimestamp(t.trim(), file, 0);
    }
}
