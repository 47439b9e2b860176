package io.patchcast.job.patch;

import io.patchcast.job.Tags;
import io.patchcast.job.source.DeadLetterRecord;
import io.patchcast.job.source.DeadLetterRecord.Reason;
import io.patchcast.job.source.Point;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by series: runs {@link PatchAssembler} over keyed state. Emits inference requests; accepted
 * points go to {@link Tags#PATCH_POINTS}, rejected ones to {@link Tags#DEAD_LETTERS}.
 *
 * <p>A new series holds its first points back until its step is inferred. If it stops before
 * enough points arrive, what it has is used (or rejected) when the input ends (the watermark
 * reaches its maximum) or after {@link #PENDING_TIMEOUT} of wall-clock time (half the state TTL
 * when that is shorter, so held points are used before their state expires), so no point waits
 * forever. Event time cannot drive this: other series on the same partition may have moved the
 * watermark far past a new series' first point.
 */
public final class PatchAssemblerFunction extends KeyedProcessFunction<String, Point, InferenceRequest> {

    /** Wall-clock time a new series may wait for the points that infer its step. */
    static final Duration PENDING_TIMEOUT = Duration.ofHours(24);

    private final PatchConfig config;
    private final Duration stateTtl;
    private final long pendingTimeoutMillis;
    private transient PatchAssembler assembler;
    private transient ValueState<SeriesState> state;
    private transient Counter deadLetters;
    private transient Counter requests;

    public PatchAssemblerFunction(PatchConfig config, Duration stateTtl) {
        if (stateTtl.isNegative() || stateTtl.isZero()) {
            throw new IllegalArgumentException("patchcast.patch.state-ttl must be positive, got " + stateTtl);
        }
        this.config = config;
        this.stateTtl = stateTtl;
        this.pendingTimeoutMillis = pendingTimeout(stateTtl).toMillis();
    }

    /** How long held points wait: {@link #PENDING_TIMEOUT}, or half the TTL, so their state cannot expire first. */
    static Duration pendingTimeout(Duration stateTtl) {
        Duration half = stateTtl.dividedBy(2);
        return half.compareTo(PENDING_TIMEOUT) < 0 ? half : PENDING_TIMEOUT;
    }

    @Override
    public void open(OpenContext ctx) {
        assembler = new PatchAssembler(config);
        ValueStateDescriptor<SeriesState> d = new ValueStateDescriptor<>("series", SeriesState.class);
        d.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl).build());
        state = getRuntimeContext().getState(d);
        var g = getRuntimeContext().getMetricGroup().addGroup("patchcast");
        deadLetters = g.counter("deadLetters");
        requests = g.counter("inferenceRequests");
    }

    @Override
    public void processElement(Point p, Context ctx, Collector<InferenceRequest> out) throws Exception {
        SeriesState s = state.value();
        if (s == null) {
            s = assembler.newState();
        }
        boolean wasPending = PatchAssembler.hasPending(s);
        assembler.accept(s, p, output(ctx, out));
        if (PatchAssembler.hasPending(s) && !wasPending) {
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            ctx.timerService().registerProcessingTimeTimer(
                    ctx.timerService().currentProcessingTime() + pendingTimeoutMillis);
        } else if (wasPending && !PatchAssembler.hasPending(s)) {
            // the step is known: no end-of-input timer stays behind for every series ever seen
            // (the wall-clock timer fires once and finds nothing pending)
            ctx.timerService().deleteEventTimeTimer(Long.MAX_VALUE);
        }
        state.update(s);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<InferenceRequest> out) throws Exception {
        SeriesState s = state.value();
        if (s == null || !PatchAssembler.hasPending(s)) {
            return;
        }
        assembler.flush(s, output(ctx, out));
        if (ts != Long.MAX_VALUE) {
            ctx.timerService().deleteEventTimeTimer(Long.MAX_VALUE);
        }
        state.update(s);
    }

    private PatchAssembler.Output output(Context ctx, Collector<InferenceRequest> out) {
        return new PatchAssembler.Output() {
            @Override
            public void request(InferenceRequest r) {
                requests.inc();
                out.collect(r);
            }

            @Override
            public void point(PatchPoint p) {
                ctx.output(Tags.PATCH_POINTS, p);
            }

            @Override
            public void deadLetter(Point p, Reason reason, String detail) {
                deadLetters.inc();
                ctx.output(Tags.DEAD_LETTERS, DeadLetterRecord.of(p, reason, detail, System.currentTimeMillis()));
            }
        };
    }
}
