package io.patchcast.job.route;

import io.patchcast.job.Tags;
import io.patchcast.job.inference.InferenceTask;
import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.store.ModelRef;
import io.patchcast.store.RouteRule;
import io.patchcast.store.RoutingTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attaches to each request the model versions that may serve it; requests of a multichannel model's
 * channels go to the {@link io.patchcast.job.Tags#GROUP_MEMBERS} side output. The rules from the control topic
 * live in broadcast state (checkpointed, so they survive a restart); the configured rules come with
 * the job. See {@link RoutingTable} for the order and {@link RouteRule#over} for what a command
 * keeps of the rule it replaces.
 */
public final class Router extends BroadcastProcessFunction<InferenceRequest, RouteRule, InferenceTask> {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    /** Current rule (or UNROUTE tombstone) per series pattern, from the control topic. */
    public static final MapStateDescriptor<String, RouteRule> RULES = new MapStateDescriptor<>(
            "route-rules", Types.STRING, TypeInformation.of(RouteRule.class));

    private final List<RouteRule> configured;
    private transient RoutingTable table;

    public Router(List<RouteRule> configured) {
        this.configured = List.copyOf(configured);
    }

    @Override
    public void processElement(InferenceRequest req, ReadOnlyContext ctx, Collector<InferenceTask> out)
            throws Exception {
        if (table == null) {
            // first element after start or restore: the rules are in the restored broadcast state
            table = build(ctx.getBroadcastState(RULES));
        }
        RoutedRequest r = route(table, req);
        if (r.isGroupMember()) {
            ctx.output(Tags.GROUP_MEMBERS, r);
        } else {
            out.collect(InferenceTask.single(r));
        }
    }

    /**
     * The request with its candidates; a member of a multichannel model's group when the rule that
     * applies names channels (the request then waits for its group in {@link GroupAssembler}).
     */
    static RoutedRequest route(RoutingTable table, InferenceRequest req) {
        RouteRule rule = table.match(req.seriesKey());
        ModelRef[] candidates = table.candidates(req.seriesKey()).toArray(new ModelRef[0]);
        return new RoutedRequest(req, candidates, rule == null ? null : rule.channels());
    }

    @Override
    public void processBroadcastElement(RouteRule cmd, Context ctx, Collector<InferenceTask> out) throws Exception {
        BroadcastState<String, RouteRule> state = ctx.getBroadcastState(RULES);
        RouteRule prior = state.get(cmd.seriesPattern());
        if (prior == null) {
            prior = configured.stream().filter(r -> r.seriesPattern().equals(cmd.seriesPattern()))
                    .findFirst().orElse(null);
        }
        if (prior != null && prior.issuedAt() > cmd.issuedAt()) {
            LOG.warn("ignoring model-control command {}: the rule for this pattern was issued later ({})", cmd, prior);
            return;
        }
        RouteRule rule = cmd.over(prior);
        state.put(rule.seriesPattern(), rule);
        table = build(state);
        LOG.info("routing rule applied: {}; table now {}", rule, table);
    }

    private RoutingTable build(ReadOnlyBroadcastState<String, RouteRule> state) throws Exception {
        List<RouteRule> control = new ArrayList<>();
        for (Map.Entry<String, RouteRule> e : state.immutableEntries()) {
            control.add(e.getValue());
        }
        return RoutingTable.of(configured, control);
    }
}
