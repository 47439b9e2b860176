package io.patchcast.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RawRecordDeserializerTest {

    static final long NOW = MetricPointCodecTest.NOW;
    static final long MAX_FUTURE = MetricPointCodecTest.MAX_FUTURE;

    final RawRecordDeserializer metrics = RawRecordDeserializer.metricPoints(MAX_FUTURE);

    RawRecord read(RawRecordDeserializer d, byte[] value) {
        return d.read(value, "metrics", 2, 77L, 5L, NOW);
    }

    @Test
    void aGoodPointCarriesItsTimestampAsEventTimeAndTheRecordIsUntouched() {
        byte[] bytes = MetricPointCodec.encode(MetricPointCodecTest.metric().build());
        RawRecord r = read(metrics, bytes);
        assertThat(r.eventTime()).isEqualTo(NOW - 1_000);
        assertThat(r).isEqualTo(new RawRecord(bytes, "metrics", 2, 77L, 5L, NOW, NOW - 1_000));
    }

    @Test
    void recordsTheDecoderRejectsMoveNoWatermark() {
        byte[] future = MetricPointCodec.encode(MetricPointCodecTest.metric()
                .setTimestamp(Instant.ofEpochMilli(NOW + MAX_FUTURE + 1)).build());
        byte[] garbage = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] nan = MetricPointCodec.encode(MetricPointCodecTest.metric().setValue(Double.NaN).build());
        for (byte[] bad : new byte[][] {future, garbage, nan, new byte[0], null}) {
            assertThat(read(metrics, bad).eventTime()).isEqualTo(RawRecord.NO_EVENT_TIME);
        }
        // at the edge: as far in the future as allowed is a point, and its time counts
        byte[] edge = MetricPointCodec.encode(MetricPointCodecTest.metric()
                .setTimestamp(Instant.ofEpochMilli(NOW + MAX_FUTURE)).build());
        assertThat(read(metrics, edge).eventTime()).isEqualTo(NOW + MAX_FUTURE);
    }

    @Test
    void decodingAtTheSourcesClockReadingGivesThePointItTimed() {
        // read at NOW, decoded much later: still the point the source timed, not a FUTURE_TIMESTAMP either way
        byte[] edge = MetricPointCodec.encode(MetricPointCodecTest.metric()
                .setTimestamp(Instant.ofEpochMilli(NOW + MAX_FUTURE)).build());
        RawRecord r = read(metrics, edge);
        MetricPointCodec.Decoded d = new MetricPointCodec(MAX_FUTURE).decode(r, r.receivedAtMillis());
        assertThat(d.point()).isNotNull();
        assertThat(d.point().timestamp()).isEqualTo(r.eventTime());
    }

    @Test
    void controlRecordsHaveNoEventTime() {
        byte[] bytes = MetricPointCodec.encode(MetricPointCodecTest.metric().build());
        assertThat(read(RawRecordDeserializer.untimed(), bytes).eventTime()).isEqualTo(RawRecord.NO_EVENT_TIME);
    }
}
