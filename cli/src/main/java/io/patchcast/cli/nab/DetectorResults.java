package io.patchcast.cli.nab;

import io.patchcast.cli.data.CsvSeries;
import io.patchcast.cli.data.NabLabels;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a NAB detector's results folder ({@code results/<detector>/<category>/<detector>_<file>.csv},
 * columns {@code timestamp} and {@code anomaly_score} among others) as {@link DetectorFile}s, keeping
 * the files that the windows file labels. Per-profile {@code *_scores.csv} files are skipped.
 */
public final class DetectorResults {

    private DetectorResults() {}

    public static List<DetectorFile> read(Path detectorDir, NabLabels labels) throws IOException {
        if (!Files.isDirectory(detectorDir)) {
            throw new IOException(detectorDir + " is not a folder of NAB detector results");
        }
        String prefix = detectorDir.toAbsolutePath().normalize().getFileName() + "_";
        List<Path> csvs;
        try (Stream<Path> s = Files.walk(detectorDir)) {
            csvs = s.filter(p -> p.toString().endsWith(".csv") && !p.toString().endsWith("_scores.csv")
                    && Files.isRegularFile(p)).sorted().toList();
        }
        List<DetectorFile> out = new ArrayList<>();
        for (Path f : csvs) {
            String rel = detectorDir.relativize(f).toString().replace('\\', '/');
            String name = f.getFileName().toString();
            if (name.startsWith(prefix)) {
                name = name.substring(prefix.length());
            }
            Path parent = Path.of(rel).getParent();
            String dataRel = parent == null ? name : parent.toString().replace('\\', '/') + "/" + name;
            if (!labels.labelled(dataRel)) {
                continue;
            }
            out.add(readFile(f, dataRel, labels));
        }
        if (out.isEmpty()) {
            throw new IOException(detectorDir + " holds no results file named in the windows file");
        }
        return out;
    }

    static DetectorFile readFile(Path f, String dataRel, NabLabels labels) throws IOException {
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
            String line;
            int row = 1;
            while ((line = r.readLine()) != null) {
                row++;
                if (line.isBlank()) {
                    continue;
                }
                String[] v = line.split(",", -1);
                ts.add(CsvSeries.parseTimestamp(v[tCol].trim(), f, row));
                String s = v[sCol].trim();
                scores.add(s.isEmpty() ? Double.NaN : Double.parseDouble(s));
            }
        }
        long[] t = new long[ts.size()];
        double[] s = new double[scores.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = ts.get(i);
            s[i] = scores.get(i);
        }
        return new DetectorFile(dataRel, t, s, labels.windowsOf(dataRel));
    }
}
