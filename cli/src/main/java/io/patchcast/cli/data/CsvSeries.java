package io.patchcast.cli.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code timestamp,value} CSV file (NAB's layout), UTF-8 (a leading byte order mark is skipped).
 * Timestamps: {@code YYYY-MM-DD HH:MM:SS}, with a space or {@code T} between date and time, an
 * optional fraction of 1 to 9 digits (truncated to milliseconds) and an optional offset {@code Z},
 * {@code +02:00}, {@code +0200} or {@code +02} (UTC without one); or epoch time as digits: an integer
 * below 100,000,000,000 (1e11) is epoch <em>seconds</em> (that many milliseconds would be
 * before March 1973, that many seconds is the year 5138), a larger one epoch milliseconds; epoch
 * seconds may have a fraction ({@code 1700000000.25}).
 * Fields may be enclosed in double quotes; columns after the value are ignored. An empty value is
 * kept as NaN (so that every row still gets an output row); {@code NaN}, {@code Infinity}, {@code
 * -Infinity} (any case, also {@code inf} as numpy writes it) are read as such; any other value that is not a decimal number
 * is an error naming the file and line.
 */
public record CsvSeries(Path file, List<String> rawTimestamps, long[] timestamps, double[] values) {

    /** All-digit timestamps below this are epoch seconds, the others epoch milliseconds. */
    public static final long EPOCH_SECONDS_BELOW = 100_000_000_000L;

    private static final DateTimeFormatter SPACE_SEPARATED = dateTime(' ');
    private static final DateTimeFormatter T_SEPARATED = dateTime('T');

    private static final Pattern EPOCH = Pattern.compile("\\d+");
    private static final Pattern EPOCH_FRACTION = Pattern.compile("\\d+\\.\\d+");

    /** A decimal number as Double.parseDouble reads it, without its hex and 'd'/'f' suffix forms. */
    private static final Pattern NUMBER =
            Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** NaN and infinities as Java, Python/numpy ("nan", "inf") and R ("NA" is not one: missing is empty) write them. */
    private static final Pattern SPECIAL = Pattern.compile("(?i)nan|[+-]?inf(inity)?");

    private static final char BOM = '\uFEFF';

    public int size() {
        return timestamps.length;
    }

    /** The series without its first {@code n} rows (0 &lt;= n &lt; size). */
    public CsvSeries dropFirst(int n) {
        if (n < 0 || n >= size()) {
            throw new IllegalArgumentException("cannot drop " + n + " of " + size() + " rows");
        }
        return new CsvSeries(file, List.copyOf(rawTimestamps.subList(n, size())),
                java.util.Arrays.copyOfRange(timestamps, n, size()), java.util.Arrays.copyOfRange(values, n, size()));
    }

    public static CsvSeries read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory, expected a timestamp,value CSV file");
        }
        List<String> raw = new ArrayList<>();
        List<Long> ts = new ArrayList<>();
        List<Double> vs = new ArrayList<>();
        int row = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            row++;
            if (header == null) {
                throw new IOException(file + ": empty file, expected a header 'timestamp,value'");
            }
            if (!header.isEmpty() && header.charAt(0) == BOM) {
                header = header.substring(1);
            }
            List<String> h = fields(header);
            if (h.size() < 2 || !h.get(0).equalsIgnoreCase("timestamp") || !h.get(1).equalsIgnoreCase("value")) {
                throw new IOException(file + ": header is '" + header + "', expected 'timestamp,value'");
            }
            String line;
            while ((line = r.readLine()) != null) {
                row++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = fields(line);
                if (f.size() < 2) {
                    throw new IOException(String.format("%s:%d: '%s' has no comma, expected timestamp,value", file, row, line));
                }
                String t = f.get(0);
                raw.add(t);
                ts.add(parseTimestamp(t, file, row));
                vs.add(parseValue(f.get(1), file, row));
            }
        } catch (CharacterCodingException e) {
            // the reader decodes ahead of the line it returns: find the line that holds the bad bytes
            throw new IOException(String.format("%s:%d: not UTF-8; save the file as UTF-8", file,
                    firstMalformedLine(file, row + 1)), e);
        }
        long[] t = new long[ts.size()];
        double[] v = new double[vs.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = ts.get(i);
            v[i] = vs.get(i);
        }
        return new CsvSeries(file, raw, t, v);
    }

    /**
     * The fields of a CSV line, trimmed, each without its enclosing double quotes ({@code ""} inside
     * quotes is one quote); a comma inside quotes is part of the field.
     */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                out.add(f.toString().trim());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString().trim());
        return out;
    }

    private static double parseValue(String v, Path file, int row) throws IOException {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        if (SPECIAL.matcher(v).matches()) {
            String l = v.toLowerCase(java.util.Locale.ROOT);
            return l.equals("nan") ? Double.NaN : l.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (!NUMBER.matcher(v).matches()) {
            throw new IOException(String.format(
                    "%s:%d: value '%s' is not a number; expected a decimal number (or empty for a missing value)",
                    file, row, v));
        }
        return Double.parseDouble(v);
    }

    /** The 1-based line that holds the first bytes that are not UTF-8 ({@code fallback} if none). */
    private static int firstMalformedLine(Path file, int fallback) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int line = 1;
        int start = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == '\n') {
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, start, i - start));
                } catch (CharacterCodingException e) {
                    return line;
                }
                line++;
                start = i + 1;
            }
        }
        return fallback;
    }

    /**
     * {@code YYYY-MM-DD<sep>HH:MM:SS}, then an optional fraction of 1 to 9 digits and an optional offset;
     * without an offset, UTC. Strict: February 30 or hour 24 are errors, not the next valid instant.
     */
    private static DateTimeFormatter dateTime(char separator) {
        return new DateTimeFormatterBuilder()
                .append(DateTimeFormatter.ISO_LOCAL_DATE)
                .appendLiteral(separator)
                .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
                .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
                .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
                .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
                // lenient "+HH": Z, +HH, +HHMM and +HH:MM (also with seconds)
                .optionalStart().parseLenient().appendOffset("+HH", "Z").parseStrict().optionalEnd()
                .parseDefaulting(ChronoField.OFFSET_SECONDS, 0)
                .toFormatter(java.util.Locale.ROOT)
                .withChronology(IsoChronology.INSTANCE)
                .withResolverStyle(ResolverStyle.STRICT);
    }

    /** Parses a timestamp of one of the accepted forms to epoch milliseconds; a message naming the text otherwise. */
    public static long parseTimestamp(String t) {
        try {
            if (EPOCH.matcher(t).matches()) {
                long n = Long.parseLong(t);
                return n < EPOCH_SECONDS_BELOW ? n * 1000 : n;
            }
            if (EPOCH_FRACTION.matcher(t).matches()) {
                BigDecimal seconds = new BigDecimal(t);
                if (seconds.compareTo(BigDecimal.valueOf(EPOCH_SECONDS_BELOW)) >= 0) {
                    throw new NumberFormatException("epoch milliseconds have no fraction");
                }
                return seconds.movePointRight(3).setScale(0, RoundingMode.DOWN).longValueExact();
            }
            DateTimeFormatter f = t.length() > 10 && t.charAt(10) == 'T' ? T_SEPARATED : SPACE_SEPARATED;
            return OffsetDateTime.parse(t, f).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(String.format("timestamp '%s' not understood; expected "
                    + "YYYY-MM-DD HH:MM:SS (UTC) or ISO-8601 (T separator; fraction up to 9 digits; offset Z, +02:00, "
                    + "+0200 or +02), or epoch seconds (digits below 1e11, fraction allowed) or epoch milliseconds", t), e);
        }
    }

    public static long parseTimestamp(String t, Path file, int row) throws IOException {
        try {
            return parseTimestamp(t);
        } catch (IllegalArgumentException e) {
            throw new IOException(String.format("%s:%d: %s", file, row, e.getMessage()), e.getCause());
        }
    }

    public static String format(long millis) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC).format(Instant.ofEpochMilli(millis));
    }
}
