package io.patchcast.job.route;

import io.patchcast.job.Tags;
import io.patchcast.job.source.DeadLetterRecord;
import io.patchcast.job.source.RawRecord;
import io.patchcast.store.ModelStore;
import io.patchcast.store.RouteRule;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes model-control records into rules before they are broadcast (so a bad command is dead-
 * lettered once, not once per subtask); a bad command never stops the job.
 */
public final class ControlDecoder extends ProcessFunction<RawRecord, RouteRule> {

    private static final Logger LOG = LoggerFactory.getLogger(ControlDecoder.class);

    private final String modelStoreDir;
    private transient ModelControlCodec codec;
    private transient Counter deadLetters;

    public ControlDecoder(String modelStoreDir) {
        this.modelStoreDir = modelStoreDir;
    }

    @Override
    public void open(OpenContext ctx) {
        codec = new ModelControlCodec(ModelStore.of(modelStoreDir));
        deadLetters = getRuntimeContext().getMetricGroup().addGroup("patchcast").counter("controlDeadLetters");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<RouteRule> out) {
        ModelControlCodec.Decoded d = codec.decode(r.value());
        if (d.rule() != null) {
            LOG.info("model-control {}/{}@{}: {}", r.topic(), r.partition(), r.offset(), d.rule());
            out.collect(d.rule());
            return;
        }
        LOG.warn("model-control {}/{}@{} rejected: {} {}", r.topic(), r.partition(), r.offset(), d.reason(), d.detail());
        deadLetters.inc();
        ctx.output(Tags.DEAD_LETTERS, new DeadLetterRecord(r.value(), r.topic(), r.partition(), r.offset(),
                d.reason().name(), d.detail(), null, System.currentTimeMillis()));
    }
}
