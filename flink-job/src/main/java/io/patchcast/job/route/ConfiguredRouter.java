package io.patchcast.job.route;

import io.patchcast.job.Tags;
import io.patchcast.job.inference.InferenceTask;
import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.store.RouteRule;
import io.patchcast.store.RoutingTable;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** The {@link Router} of a job without a control topic: the configured rules only, no state. */
public final class ConfiguredRouter extends ProcessFunction<InferenceRequest, InferenceTask> {

    private final List<RouteRule> configured;
    private transient RoutingTable table;

    public ConfiguredRouter(List<RouteRule> configured) {
        this.configured = List.copyOf(configured);
    }

    @Override
    public void open(OpenContext ctx) {
        table = RoutingTable.of(configured, List.of());
    }

    @Override
    public void processElement(InferenceRequest req, Context ctx, Collector<InferenceTask> out) {
        RoutedRequest r = Router.route(table, req);
        if (r.isGroupMember()) {
            ctx.output(Tags.GROUP_MEMBERS, r);
        } else {
            out.collect(InferenceTask.single(r));
        }
    }
}
