package io.patchcast.job.route;

import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.store.ModelRef;
import io.patchcast.store.RouteRule;
import io.patchcast.store.RoutingTable;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** The {@link Router} of a job without a control topic: the configured rules only, no state. */
public final class ConfiguredRouter extends RichMapFunction<InferenceRequest, RoutedRequest> {

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
    public RoutedRequest map(InferenceRequest req) {
        return new RoutedRequest(req, table.candidates(req.seriesKey()).toArray(new ModelRef[0]));
    }
}
