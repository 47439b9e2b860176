package io.patchcast.cli.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSeriesTest {

    @TempDir
    Path tmp;

    private Path write(String name, String content) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void extraColumnsTrailingCommasAndQuotesAreFields() throws Exception {
        CsvSeries s = CsvSeries.read(write("a.csv", "\uFEFF\"timestamp\",\"value\",host\n"
                + "2024-01-01 00:00:00,1.5,a\n"
                + "2024-01-01 00:05:00,2.5,\n"
                + "\"2024-01-01 00:10:00\",\"3.5\"\n"
                + "2024-01-01 00:15:00, 4.5 ,\"x,y\"\n"));
        assertThat(s.values()).containsExactly(1.5, 2.5, 3.5, 4.5);
        assertThat(s.rawTimestamps()).containsExactly("2024-01-01 00:00:00", "2024-01-01 00:05:00",
                "2024-01-01 00:10:00", "2024-01-01 00:15:00");
    }

    @Test
    void emptyAndNonFiniteLiteralsAreValues() throws Exception {
        CsvSeries s = CsvSeries.read(write("b.csv", "timestamp,value\n1000,\n2000,NaN\n3000,Infinity\n4000,-Infinity\n"
                + "5000,-1e3\n6000,nan\n7000,-inf\n8000,INF\n"));
        assertThat(s.values()).containsExactly(Double.NaN, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, -1000.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    @Test
    void aValueThatIsNotANumberNamesFileAndLine() throws Exception {
        Path f = write("c.csv", "timestamp,value\n1000,1\n\n3000,abc\n");
        assertThatThrownBy(() -> CsvSeries.read(f)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ":4: value 'abc' is not a number");
        Path g = write("d.csv", "timestamp,value\n1000,1.5f\n");
        assertThatThrownBy(() -> CsvSeries.read(g)).hasMessageStartingWith(g + ":2: value '1.5f' is not a number");
    }

    @Test
    void bytesThatAreNotUtf8NameTheLine() throws Exception {
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 2000; i++) { // past the reader's buffer: the line is found, not the buffer's
            sb.append(1000L * i).append(",1\n");
        }
        byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
        byte[] bad = "2000000,\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + bad.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bad, 0, all, head.length, bad.length);
        Path f = tmp.resolve("latin1.csv");
        Files.write(f, all);
        assertThatThrownBy(() -> CsvSeries.read(f)).isInstanceOf(IOException.class)
                .hasMessage(f + ":2002: not UTF-8; save the file as UTF-8");
    }

    private static final long JAN_1_2024 = 1_704_067_200_000L; // 2024-01-01T00:00:00Z

    @Test
    void fractionsOfOneToNineDigitsAreTruncatedToMilliseconds() {
        assertThat(CsvSeries.parseTimestamp("2024-01-01 00:00:00")).isEqualTo(JAN_1_2024);
        assertThat(CsvSeries.parseTimestamp("2024-01-01 00:00:00.5")).isEqualTo(JAN_1_2024 + 500);
        assertThat(CsvSeries.parseTimestamp("2024-01-01 00:00:00.12")).isEqualTo(JAN_1_2024 + 120);
        assertThat(CsvSeries.parseTimestamp("2024-01-01 00:00:00.1239")).isEqualTo(JAN_1_2024 + 123);
        assertThat(CsvSeries.parseTimestamp("2024-01-01 00:00:00.000000")).isEqualTo(JAN_1_2024); // NAB's labels
        assertThat(CsvSeries.parseTimestamp("2024-01-01 00:00:00.123456789")).isEqualTo(JAN_1_2024 + 123);
        assertThat(CsvSeries.parseTimestamp("2024-01-01T00:00:01.99999")).isEqualTo(JAN_1_2024 + 1999);
        assertThat(CsvSeries.parseTimestamp("2024-01-01T00:00:00")).isEqualTo(JAN_1_2024);
        // before 1970 the fraction is still cut off, not rounded away from the earlier second
        assertThat(CsvSeries.parseTimestamp("1969-12-31 23:59:59.9999")).isEqualTo(-1L);
    }

    @Test
    void isoOffsetsOfEveryFormAreRead() {
        for (String t : new String[] {"2024-01-01T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T02:00:00+02:00",
                "2024-01-01T02:00:00+0200", "2024-01-01T02:00:00+02", "2024-01-01 02:00:00+02:00",
                "2024-01-01 02:00:00+0200", "2024-01-01 02:00:00+02", "2023-12-31T19:00:00-05:00",
                "2023-12-31T19:00:00-0500", "2023-12-31 19:00:00-05"}) {
            assertThat(CsvSeries.parseTimestamp(t)).as(t).isEqualTo(JAN_1_2024);
        }
        assertThat(CsvSeries.parseTimestamp("2024-01-01T02:00:00.75+02:00")).isEqualTo(JAN_1_2024 + 750);
        assertThat(CsvSeries.parseTimestamp("2024-01-01 02:00:00.123456789+0200")).isEqualTo(JAN_1_2024 + 123);
        assertThat(CsvSeries.parseTimestamp("2024-01-01T00:00:00.000000Z")).isEqualTo(JAN_1_2024);
    }

    @Test
    void epochSecondsBelowOneE11AndMillisecondsFromThere() {
        assertThat(CsvSeries.parseTimestamp("1700000000")).isEqualTo(1_700_000_000_000L); // 2023-11-14, not 1970-01-20
        assertThat(CsvSeries.parseTimestamp("1700000000000")).isEqualTo(1_700_000_000_000L);
        assertThat(CsvSeries.parseTimestamp("0")).isZero();
        assertThat(CsvSeries.parseTimestamp("99999999999")).isEqualTo(99_999_999_999_000L); // seconds: year 5138
        assertThat(CsvSeries.parseTimestamp("100000000000")).isEqualTo(100_000_000_000L); // ms: 1973-03-03
        assertThat(CsvSeries.format(CsvSeries.parseTimestamp("100000000000"))).isEqualTo("1973-03-03 09:46:40");
        assertThat(CsvSeries.parseTimestamp("1700000000.25")).isEqualTo(1_700_000_000_250L);
        assertThat(CsvSeries.parseTimestamp("1700000000.0009")).isEqualTo(1_700_000_000_000L);
        assertThat(CsvSeries.parseTimestamp("99999999999.999")).isEqualTo(99_999_999_999_999L);
    }

    @Test
    void aTimestampOfNoAcceptedFormNamesTheTextAndTheForms() {
        for (String t : new String[] {"2024-01-01 00:00:00.", "2024-01-01 00:00:00.1234567890", "2024-02-30 00:00:00",
                "2024-01-01 24:00:00", "2024-01-01 00:00", "2024-01-01T00:00:00+2:00", "2024-01-01T00:00:00 +02:00",
                "1700000000000.5", "100000000000.0", "-1700000000", "1.7e9", ".5", "1700000000.", "99999999999999999999"}) {
            assertThatThrownBy(() -> CsvSeries.parseTimestamp(t)).as(t).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("timestamp '" + t + "' not understood; expected YYYY-MM-DD HH:MM:SS")
                    .hasMessageContaining("+02:00").hasMessageContaining("epoch seconds");
        }
    }

    @Test
    void aFileOfEpochSecondsIsReadAsSeconds() throws Exception {
        CsvSeries s = CsvSeries.read(write("e.csv", "timestamp,value\n1700000000,1\n1700000300,2\n\"1700000600.5\",3\n"));
        assertThat(s.timestamps()).containsExactly(1_700_000_000_000L, 1_700_000_300_000L, 1_700_000_600_500L);
        Path f = write("f.csv", "timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05,2\n");
        assertThatThrownBy(() -> CsvSeries.read(f)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ":3: timestamp '2024-01-01 00:05' not understood");
    }
}
