package io.patchcast.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.source.DeadLetterRecord.Reason;
import io.patchcast.job.source.MetricPointCodec.Decoded;
import io.patchcast.schema.AnomalyFlag;
import io.patchcast.schema.MetricPoint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricPointCodecTest {

    static final long NOW = 1_700_000_000_000L;
    static final long MAX_FUTURE = 60_000;

    final MetricPointCodec codec = new MetricPointCodec(MAX_FUTURE);

    static MetricPoint.Builder metric() {
        return MetricPoint.newBuilder()
                .setName("http_requests")
                .setLabels(Map.of("status", "500", "method", "GET"))
                .setTimestamp(Instant.ofEpochMilli(NOW - 1_000))
                .setValue(42.5);
    }

    Decoded decode(byte[] bytes) {
        return codec.decode(RawRecord.read(bytes, "metrics", 3, 1234L, NOW, NOW), NOW);
    }

    Decoded decode(MetricPoint m) {
        return decode(MetricPointCodec.encode(m));
    }

    @Test
    void roundTripGivesThePointWithItsSortedKeyAndCoordinates() {
        byte[] bytes = MetricPointCodec.encode(metric().build());
        Decoded d = decode(bytes);

        assertThat(d.reason()).isNull();
        assertThat(d.detail()).isNull();
        String key = "http_requests{method=\"GET\",status=\"500\"}";
        assertThat(d.seriesKey()).isEqualTo(key);
        assertThat(d.point()).isEqualTo(new Point(key, NOW - 1_000, 42.5, bytes, "metrics", 3, 1234L));
        assertThat(d.point().raw()).isSameAs(bytes);
    }

    @Test
    void nameIsTrimmed() {
        Decoded d = decode(metric().setName("  cpu ").setLabels(Map.of()).build());
        assertThat(d.point().seriesKey()).isEqualTo("cpu");
    }

    @Test
    void garbageBytesAreUndecodable() {
        Decoded d = decode("hello, world".getBytes(StandardCharsets.UTF_8));
        assertThat(d.point()).isNull();
        assertThat(d.reason()).isEqualTo(Reason.UNDECODABLE);
        assertThat(d.detail()).contains("not Avro single-object encoding");
        assertThat(d.seriesKey()).isNull();
    }

    @Test
    void emptyOrNullValueIsUndecodable() {
        assertThat(decode(new byte[0]).reason()).isEqualTo(Reason.UNDECODABLE);
        Decoded d = decode((byte[]) null);
        assertThat(d.reason()).isEqualTo(Reason.UNDECODABLE);
        assertThat(d.detail()).contains("tombstone");
    }

    @Test
    void truncatedRecordIsUndecodable() {
        byte[] full = MetricPointCodec.encode(metric().build());
        for (int len : new int[] {full.length - 3, full.length / 2, 11, 5, 1}) {
            Decoded d = decode(Arrays.copyOf(full, len));
            assertThat(d.reason()).as("first %d of %d bytes", len, full.length).isEqualTo(Reason.UNDECODABLE);
            assertThat(d.point()).isNull();
        }
    }

    @Test
    void lengthPrefixRunningPastTheRecordIsUndecodable() {
        byte[] full = MetricPointCodec.encode(metric().setLabels(Map.of()).build());
        byte[] bad = Arrays.copyOf(full, 12);
        bad[10] = (byte) 0xd0; // zig-zag varint 0x0fd0 = name length 1000, in a 12-byte record
        bad[11] = 0x0f;
        Decoded d = decode(bad);
        assertThat(d.reason()).isEqualTo(Reason.UNDECODABLE);
        assertThat(d.detail()).contains("malformed MetricPoint body");
    }

    @Test
    void hugeLengthPrefixIsRejectedWithoutAllocatingIt() {
        // a 2e9-byte name claimed by a 15-byte record: the Avro size limits that every launcher
        // sets (surefire argLine, bin/patchcast, docker/config.yaml) reject it before allocating
        assertThat(System.getProperty("org.apache.avro.limits.string.maxLength")).isEqualTo("1048576");
        byte[] full = MetricPointCodec.encode(metric().setLabels(Map.of()).build());
        byte[] bad = Arrays.copyOf(full, 15);
        long zigzag = 2_000_000_000L << 1;
        for (int i = 10; i < 15; i++) {
            bad[i] = (byte) ((zigzag & 0x7f) | (i < 14 ? 0x80 : 0));
            zigzag >>>= 7;
        }
        Decoded d = decode(bad);
        assertThat(d.reason()).isEqualTo(Reason.UNDECODABLE);
        assertThat(d.detail()).contains("malformed MetricPoint body");
    }

    @Test
    void recordOfAnotherSchemaIsUnknownSchema() throws Exception {
        AnomalyFlag flag = AnomalyFlag.newBuilder()
                .setSeriesKey("cpu").setTimestamp(Instant.ofEpochMilli(NOW)).setValue(1.0)
                .setLevel(0.99).setScore(0.5).setFlagged(false).setModel("m").setModelVersion("1")
                .build();
        ByteBuffer b = AnomalyFlag.getEncoder().encode(flag);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);

        Decoded d = decode(bytes);
        assertThat(d.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA);
        assertThat(d.detail()).contains("expected MetricPoint v1");
        assertThat(d.point()).isNull();
    }

    @Test
    void nullValueIsAMissingFieldAndKeepsTheSeriesKey() {
        Decoded d = decode(metric().setValue(null).build());
        assertThat(d.reason()).isEqualTo(Reason.MISSING_FIELD);
        assertThat(d.seriesKey()).isEqualTo("http_requests{method=\"GET\",status=\"500\"}");
        assertThat(d.point()).isNull();
    }

    @Test
    void nanAndInfinityAreNonFinite() {
        for (double v : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            Decoded d = decode(metric().setValue(v).build());
            assertThat(d.reason()).as("%s", v).isEqualTo(Reason.NON_FINITE);
            assertThat(d.detail()).contains(String.valueOf(v));
        }
    }

    @Test
    void aSeriesKeyOverTheLimitIsOversized() {
        String longValue = "x".repeat(MetricPointCodec.MAX_SERIES_KEY_CHARS);
        Decoded d = decode(metric().setLabels(Map.of("pod", longValue)).build());
        assertThat(d.reason()).isEqualTo(Reason.OVERSIZED);
        assertThat(d.detail()).startsWith("series key (name and labels) of 4117 characters; at most 4096: http_requests{");
        assertThat(d.detail().length()).isLessThan(400);
        // the longest key that fits is accepted
        String fits = "x".repeat(MetricPointCodec.MAX_SERIES_KEY_CHARS - "http_requests{pod=\"\"}".length());
        assertThat(decode(metric().setLabels(Map.of("pod", fits)).build()).reason()).isNull();
    }

    @Test
    void valuesBeyondTheFloatRangeAreNonFiniteForTheModels() {
        for (double v : new double[] {1e39, -1e39, Double.MAX_VALUE}) {
            Decoded d = decode(metric().setValue(v).build());
            assertThat(d.reason()).as("%s", v).isEqualTo(Reason.NON_FINITE);
            assertThat(d.detail()).contains(String.valueOf(v)).contains("32-bit float range");
        }
        assertThat(decode(metric().setValue(3.0e38).build()).reason()).isNull();
    }

    @Test
    void emptyOrBlankNameIsRejected() {
        assertThat(decode(metric().setName("").build()).reason()).isEqualTo(Reason.EMPTY_NAME);
        Decoded d = decode(metric().setName(" \t ").build());
        assertThat(d.reason()).isEqualTo(Reason.EMPTY_NAME);
        assertThat(d.seriesKey()).isNull();
    }

    @Test
    void timestampBeforeTheEpochIsRejected() {
        Decoded d = decode(metric().setTimestamp(Instant.ofEpochMilli(-1)).build());
        assertThat(d.reason()).isEqualTo(Reason.PRE_EPOCH_TIMESTAMP);
        assertThat(decode(metric().setTimestamp(Instant.EPOCH).build()).point()).isNotNull();
    }

    @Test
    void timestampMoreThanMaxFutureAheadOfTheClockIsRejected() {
        Decoded edge = decode(metric().setTimestamp(Instant.ofEpochMilli(NOW + MAX_FUTURE)).build());
        assertThat(edge.point()).isNotNull();
        assertThat(edge.point().timestamp()).isEqualTo(NOW + MAX_FUTURE);

        Decoded d = decode(metric().setTimestamp(Instant.ofEpochMilli(NOW + MAX_FUTURE + 1)).build());
        assertThat(d.reason()).isEqualTo(Reason.FUTURE_TIMESTAMP);
        assertThat(d.detail()).contains("more than 60000 ms");
    }
}
