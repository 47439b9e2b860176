package io.patchcast.cli.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code timestamp,value} CSV file (NAB's layout). Timestamps: {@code YYYY-MM-DD HH:MM:SS[.f]}
 * (UTC), ISO-8601 with offset, or epoch milliseconds. An empty or unparsable value is kept as NaN
 * so that every row still gets an output row.
 */
public record CsvSeries(Path file, List<String> rawTimestamps, long[] timestamps, double[] values) {

    private static final DateTimeFormatter LOCAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS][.SSS]");

    public int size() {
        return timestamps.length;
    }

    public static CsvSeries read(Path file) throws IOException {
        List<String> raw = new ArrayList<>();
        List<Long> ts = new ArrayList<>();
        List<Double> vs = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                throw new IOException(file + ": empty file, expected a header 'timestamp,value'");
            }
            String[] h = header.trim().split(",");
            if (h.length < 2 || !h[0].trim().equalsIgnoreCase("timestamp") || !h[1].trim().equalsIgnoreCase("value")) {
                throw new IOException(file + ": header is '" + header + "', expected 'timestamp,value'");
            }
            String line;
            int row = 1;
            while ((line = r.readLine()) != null) {
                row++;
                if (line.isBlank()) {
                    continue;
                }
                int comma = line.indexOf(',');
                if (comma < 0) {
                    throw new IOException(String.format("%s:%d: '%s' has no comma, expected timestamp,value", file, row, line));
                }
                String t = line.substring(0, comma).trim();
                String v = line.substring(comma + 1).trim();
                raw.add(t);
                ts.add(parseTimestamp(t, file, row));
                double d;
                try {
                    d = v.isEmpty() ? Double.NaN : Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    d = Double.NaN;
                }
                vs.add(d);
            }
        }
        long[] t = new long[ts.size()];
        double[] v = new double[vs.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = ts.get(i);
            v[i] = vs.get(i);
        }
        return new CsvSeries(file, raw, t, v);
    }

    public static long parseTimestamp(String t, Path file, int row) throws IOException {
        try {
            if (t.chars().allMatch(Character::isDigit)) {
                return Long.parseLong(t);
            }
            if (t.length() > 19 && (t.endsWith("Z") || t.matches(".*[+-]\\d\\d:\\d\\d$"))) {
                return OffsetDateTime.parse(t.replace(' ', 'T')).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(t.replace('T', ' '), LOCAL).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IOException(String.format(
                    "%s:%d: timestamp '%s' not understood; expected YYYY-MM-DD HH:MM:SS (UTC), ISO-8601 or epoch ms",
                    file, row, t), e);
        }
    }

    public static String format(long millis) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC).format(Instant.ofEpochMilli(millis));
    }
}
