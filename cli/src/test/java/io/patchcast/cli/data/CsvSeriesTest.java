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
}
