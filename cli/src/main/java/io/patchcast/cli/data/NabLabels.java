package io.patchcast.cli.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchcast.cli.report.TimeWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Labelled anomaly windows in NAB's layout: either {@code combined_windows.json} (file → list of
 * [start, end]) or the shipped {@code labels.json} ({"windows": {...}, "labels": {...}}). Keys are
 * paths relative to the data folder; {@link #keysOf} matches them to data files.
 */
public record NabLabels(Map<String, List<TimeWindow>> windows, Map<String, List<Long>> labels) {

    public static NabLabels read(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IOException(String.format("%s: not valid JSON at line %d, column %d: %s", file,
                    at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(), e.getOriginalMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": expected a JSON object {\"<file>\": [[start, end], ...], ...}"
                    + " (or {\"windows\": {...}, \"labels\": {...}})");
        }
        JsonNode w = root.has("windows") ? root.get("windows") : root;
        if (!w.isObject()) {
            throw new IOException(file + ": \"windows\" must be an object {\"<file>\": [[start, end], ...], ...}");
        }
        Map<String, List<TimeWindow>> windows = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = w.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (!e.getValue().isArray()) {
                throw new IOException(String.format("%s: key '%s' has %s; expected a list of [start, end] windows",
                        file, key, e.getValue()));
            }
            List<TimeWindow> list = new ArrayList<>();
            int i = 0;
            for (JsonNode pair : e.getValue()) {
                i++;
                if (!pair.isArray() || pair.size() != 2) {
                    throw new IOException(String.format(
                            "%s: key '%s': window %d is %s; expected [start, end] (two timestamps)", file, key, i, pair));
                }
                long start = timestamp(pair.get(0), file, key, "window " + i);
                long end = timestamp(pair.get(1), file, key, "window " + i);
                if (end < start) {
                    throw new IOException(String.format("%s: key '%s': window %d ends (%s) before it starts (%s);"
                            + " expected [start, end]", file, key, i, pair.get(1).asText(), pair.get(0).asText()));
                }
                list.add(new TimeWindow(start, end));
            }
            // NAB's sweep takes the windows in time order; a hand-written file need not list them so
            list.sort(Comparator.comparingLong(TimeWindow::startMillis));
            windows.put(key, list);
        }
        Map<String, List<Long>> labels = new HashMap<>();
        if (root.has("windows") && root.has("labels")) {
            if (!root.get("labels").isObject()) {
                throw new IOException(file + ": \"labels\" must be an object {\"<file>\": [timestamp, ...], ...}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get("labels").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isArray()) {
                    throw new IOException(String.format("%s: labels of key '%s' are %s; expected a list of timestamps",
                            file, e.getKey(), e.getValue()));
                }
                List<Long> list = new ArrayList<>();
                int i = 0;
                for (JsonNode t : e.getValue()) {
                    list.add(timestamp(t, file, e.getKey(), "label " + ++i));
                }
                labels.put(e.getKey(), list);
            }
        }
        return new NabLabels(windows, labels);
    }

    /**
     * The key of each data file that the windows file labels, by the file's path relative to the
     * data folder (insertion order of {@code relativePaths}): the path itself, or else a key with
     * the same file name when that name is unique among the keys and among {@code relativePaths}
     * (so {@code a/x.csv}'s windows never label {@code b/x.csv}). Unlabelled files are left out.
     */
    public Map<String, String> keysOf(Collection<String> relativePaths) {
        Map<String, Long> fileNames = relativePaths.stream()
                .collect(Collectors.groupingBy(NabLabels::fileName, Collectors.counting()));
        Map<String, List<String>> keysByName = windows.keySet().stream()
                .collect(Collectors.groupingBy(NabLabels::fileName));
        Map<String, String> out = new LinkedHashMap<>();
        for (String rel : relativePaths) {
            if (windows.containsKey(rel)) {
                out.put(rel, rel);
                continue;
            }
            String name = fileName(rel);
            List<String> keys = keysByName.getOrDefault(name, List.of());
            if (keys.size() == 1 && fileNames.get(name) == 1) {
                out.put(rel, keys.get(0));
            }
        }
        return out;
    }

    /** The keys that {@link #keysOf} matches to none of {@code relativePaths}, sorted. */
    public List<String> unmatchedKeys(Collection<String> relativePaths) {
        Set<String> matched = Set.copyOf(keysOf(relativePaths).values());
        return windows.keySet().stream().filter(k -> !matched.contains(k)).sorted().toList();
    }

    /** The windows of a key ({@link #keysOf}); none for an unknown key. */
    public List<TimeWindow> windowsOf(String key) {
        return windows.getOrDefault(key, List.of());
    }

    /** The labelled points of a key ({@link #keysOf}); none for an unknown key. */
    public List<Long> labelsOf(String key) {
        return labels.getOrDefault(key, List.of());
    }

    private static String fileName(String path) {
        return path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
    }

    private static long timestamp(JsonNode t, Path file, String key, String what) throws IOException {
        if (!t.isTextual() && !t.isIntegralNumber()) {
            throw new IOException(String.format("%s: key '%s': %s has %s; expected a timestamp string", file, key,
                    what, t));
        }
        try {
            return CsvSeries.parseTimestamp(t.asText().trim());
        } catch (IllegalArgumentException e) {
            throw new IOException(String.format("%s: key '%s': %s: %s", file, key, what, e.getMessage()), e);
        }
    }
}
