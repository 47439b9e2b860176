package io.patchcast.job.source;

import io.patchcast.job.Tags;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Decodes raw Kafka records into points; every bad record goes to the dead-letter side output. */
public final class PointDecoder extends ProcessFunction<RawRecord, Point> {

    private final long maxFutureMillis;
    private transient MetricPointCodec codec;
    private transient Counter deadLetters;

    public PointDecoder(long maxFutureMillis) {
        this.maxFutureMillis = maxFutureMillis;
    }

    @Override
    public void open(OpenContext ctx) {
        codec = new MetricPointCodec(maxFutureMillis);
        deadLetters = getRuntimeContext().getMetricGroup().addGroup("patchcast").counter("deadLetters");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<Point> out) {
        long now = r.receivedAtMillis(); // the source's reading: the same decision as its event time
        MetricPointCodec.Decoded d = codec.decode(r, now);
        if (d.point() != null) {
            out.collect(d.point());
            return;
        }
        deadLetters.inc();
        ctx.output(Tags.DEAD_LETTERS, new DeadLetterRecord(r.value(), r.topic(), r.partition(),
                r.offset(), d.reason().name(), d.detail(), d.seriesKey(), now));
    }
}
