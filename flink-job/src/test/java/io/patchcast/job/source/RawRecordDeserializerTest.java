package io.patchcast.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
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
    void pointDecoderJudgesTheFutureByTheSourcesClockReadingNotItsOwn() throws Exception {
        // read in 2023 (NOW) with a timestamp just past the allowed future: the source gave it no
        // event time, so the decoder must reject it too, though by today's clock it lies in the past
        byte[] future = MetricPointCodec.encode(MetricPointCodecTest.metric()
                .setTimestamp(Instant.ofEpochMilli(NOW + MAX_FUTURE + 1)).build());
        byte[] edge = MetricPointCodec.encode(MetricPointCodecTest.metric()
                .setTimestamp(Instant.ofEpochMilli(NOW + MAX_FUTURE)).build());
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(new PointDecoder(MAX_FUTURE))) {
            h.processElement(read(metrics, future), 0);
            h.processElement(read(metrics, edge), 0);
            assertThat(h.extractOutputValues()).extracting(Point::timestamp).containsExactly(NOW + MAX_FUTURE);
            assertThat(h.getSideOutput(io.patchcast.job.Tags.DEAD_LETTERS)).singleElement()
                    .satisfies(d -> assertThat(d.getValue().reason()).isEqualTo("FUTURE_TIMESTAMP"));
        }
    }

    @Test
    void controlRecordsHaveNoEventTime() {
        byte[] bytes = MetricPointCodec.encode(MetricPointCodecTest.metric().build());
        assertThat(read(RawRecordDeserializer.untimed(), bytes).eventTime()).isEqualTo(RawRecord.NO_EVENT_TIME);
    }
}
