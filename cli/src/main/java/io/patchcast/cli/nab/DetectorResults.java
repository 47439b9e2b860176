package io.patchcast.cli.nab;

import io.patchcast.cli.data.CsvFiles;
import io.patchcast.cli.data.CsvSeries;
import io.patchcast.cli.data.NabLabels;
import io.patchcast.cli.report.TimeWindow;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a NAB detector's results folder ({@code results/<detector>/<category>/<detector>_<file>.csv},
 * columns {@code timestamp} and {@code anomaly_score} among others) as {@link DetectorFile}s, keeping
 * the files that the windows file labels. Per-profile {@code *_scores.csv} files are skipped.
 */
public final class DetectorResults {

    private DetectorResults() {}

    public static List<DetectorFile> read(Path detectorDir, NabLabels labels) throws IOException {
        Map<String, Path> files = files(detectorDir);
        Map<String, String> keys = labels.keysOf(files.keySet());
        List<DetectorFile> out = new ArrayList<>();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            out.add(readFile(files.get(e.getKey()), e.getKey(), labels.windowsOf(e.getValue())));
        }
        if (out.isEmpty()) {
            throw new IOException(detectorDir + " holds no results file named in the windows file");
        }
        return out;
    }

    /** The data files (paths relative to the data folder) that the results folder has results for, sorted. */
    public static List<String> dataPaths(Path detectorDir) throws IOException {
        return List.copyOf(files(detectorDir).keySet());
    }

    /** Results file by the path of its data file ({@code <category>/<file>.csv}), sorted. */
    private static Map<String, Path> files(Path detectorDir) throws IOException {
        if (!Files.isDirectory(detectorDir)) {
            throw new IOException(detectorDir + " is not a folder of NAB detector results");
        }
        String prefix = detectorDir.toAbsolutePath().normalize().getFileName() + "_";
        List<Path> csvs = CsvFiles.under(detectorDir).stream()
                .filter(p -> !p.toString().endsWith("_scores.csv")).toList();
        Map<String, Path> out = new LinkedHashMap<>();
        for (Path f : csvs) {
            String rel = detectorDir.relativize(f).toString().replace('\\', '/');
            String name = f.getFileName().toString();
            if (name.startsWith(prefix)) {
                name = name.substring(prefix.length());
            }
            Path parent = Path.of(rel).getParent();
            out.put(parent == null ? name : parent.toString().replace('\\', '/') + "/" + name, f);
        }
        return out;
    }

    static DetectorFile readFile(Path f, String dataRel, List<TimeWindow> windows) throws IOException {
        List<Long> ts = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                throw new IOException(f + ": empty file");
            }
            List<String> cols = List.of(header.trim().split(","));
            int tCol = cols.indexOf("timestamp");
            int sCol = cols.indexOf("anomaly_score");
            if (tCol < 0 || sCol < 0) {
                throw new IOException(f + ": header '" + header + "' lacks timestamp and anomaly_score columns");
            }
            int needed = Math.max(tCol, sCol) + 1;
            String line;
            int row = 1;
            while ((line = r.readLine()) != null) {
                row++;
                if (line.isBlank()) {
                    continue;
                }
                String[] v = line.split(",", -1);
                if (v.length < needed) {
                    throw new IOException(String.format("%s:%d: %d fields, expected at least %d (header '%s')", f, row,
                            v.length, needed, header));
                }
                ts.add(CsvSeries.parseTimestamp(v[tCol].trim(), f, row));
                String s = v[sCol].trim();
                try {
                    scores.add(s.isEmpty() ? Double.NaN : Double.parseDouble(s));
                } catch (NumberFormatException e) {
                    throw new IOException(String.format("%s:%d: anomaly_score '%s' is not a number", f, row, s), e);
                }
            }
        }
        long[] t = new long[ts.size()];
        double[] s = new double[scores.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = ts.get(i);
            s[i] = scores.get(i);
        }
        return new DetectorFile(dataRel, t, s, windows);
    }
}
