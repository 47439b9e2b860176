package io.patchcast.job.route;

import io.patchcast.job.inference.InferenceTask;
import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.models.api.LogThrottle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers the requests of a multichannel model's channels (keyed by {@link RoutedRequest#groupKey})
 * into one task per patch start, in channel order, so the model sees every channel of its group at
 * once. The channels must share their timeline (the same patch starts). A group still incomplete
 * when the watermark passes its patch start plus {@code wait} is forecast channel by channel by the
 * candidates that take single series, or the default model, so no request is lost; so is a member
 * that arrives after its group was given up. Pending members live in keyed state, so they survive
 * a restart.
 */
public final class GroupAssembler extends KeyedProcessFunction<String, RoutedRequest, InferenceTask> {

    private static final Logger LOG = LoggerFactory.getLogger(GroupAssembler.class);

    private final long waitMillis;
    private transient MapState<Long, List<RoutedRequest>> pending;
    private transient Counter complete;
    private transient Counter incomplete;
    private transient Counter lateMembers;
    private transient LogThrottle lateLog;
    private transient LogThrottle givenUpLog;

    public GroupAssembler(Duration wait) {
        if (wait.isNegative()) {
            throw new IllegalArgumentException("group wait must be >= 0, got " + wait);
        }
        this.waitMillis = wait.toMillis();
    }

    @Override
    public void open(OpenContext ctx) {
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("group-members", Types.LONG,
                Types.LIST(TypeInformation.of(RoutedRequest.class))));
        var g = getRuntimeContext().getMetricGroup().addGroup("patchcast");
        complete = g.counter("groupsComplete");
        incomplete = g.counter("groupsIncomplete");
        lateMembers = g.counter("groupMembersLate");
        lateLog = new LogThrottle(Duration.ofMinutes(1));
        givenUpLog = new LogThrottle(Duration.ofMinutes(1));
    }

    @Override
    public void processElement(RoutedRequest r, Context ctx, Collector<InferenceTask> out) throws Exception {
        long start = r.request().patchStart();
        long deadline = start + waitMillis;
        if (ctx.timerService().currentWatermark() >= deadline) {
            long more = lateLog.tryAcquire(); // a lagging channel would log every patch
            if (more >= 0) {
                LOG.warn("{} for patch {} arrived after its group was given up (watermark {}): forecast on its own{}",
                        r.seriesKey(), start, ctx.timerService().currentWatermark(),
                        LogThrottle.more(more));
            }
            lateMembers.inc(); // its group, if any member came in time, was counted in groupsIncomplete
            out.collect(InferenceTask.single(r));
            return;
        }
        List<RoutedRequest> members = pending.get(start);
        if (members == null) {
            members = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(deadline);
        }
        members.removeIf(m -> m.seriesKey().equals(r.seriesKey())); // a replayed request replaces its copy
        members.add(r);
        String[] channels = r.channels();
        if (members.size() < channels.length) {
            pending.put(start, members);
            return;
        }
        InferenceRequest[] ordered = new InferenceRequest[channels.length];
        for (RoutedRequest m : members) {
            ordered[Arrays.asList(channels).indexOf(m.seriesKey())] = m.request();
        }
        pending.remove(start);
        ctx.timerService().deleteEventTimeTimer(deadline);
        complete.inc();
        // the latest member's candidates: routed by the newest rules
        out.collect(new InferenceTask(ordered, r.candidates(), channels));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<InferenceTask> out) throws Exception {
        Iterator<Map.Entry<Long, List<RoutedRequest>>> it = pending.iterator();
        while (it.hasNext()) {
            Map.Entry<Long, List<RoutedRequest>> e = it.next();
            if (e.getKey() + waitMillis > timestamp) {
                // a timer of an earlier run with a shorter group wait (restored from a savepoint): the
                // entry's own deadline under this wait; registering an existing timer again is a no-op
                ctx.timerService().registerEventTimeTimer(e.getKey() + waitMillis);
                continue;
            }
            List<RoutedRequest> members = e.getValue();
            List<String> missing = new ArrayList<>(Arrays.asList(members.get(0).channels()));
            members.forEach(m -> missing.remove(m.seriesKey()));
            long more = givenUpLog.tryAcquire(); // a dead channel would log every patch
            if (more >= 0) {
                LOG.warn("group {} patch {}: {} of {} channels arrived within {} ms (missing {}); forecasting them on"
                        + " their own{}", ctx.getCurrentKey().replace('\n', '|'), e.getKey(), members.size(),
                        members.get(0).channels().length, waitMillis, missing, LogThrottle.more(more));
            }
            incomplete.inc();
            for (RoutedRequest m : members) {
                out.collect(InferenceTask.single(m));
            }
            it.remove();
        }
    }
}
