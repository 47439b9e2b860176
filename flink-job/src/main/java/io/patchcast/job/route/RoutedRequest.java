package io.patchcast.job.route;

import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.store.ModelRef;

/**
 * A request with the model versions that may serve it, most wanted first (see {@link
 * io.patchcast.store.RoutingTable#candidates}); empty: the default model.
 */
public record RoutedRequest(InferenceRequest request, ModelRef[] candidates) {

    public RoutedRequest {
        java.util.Objects.requireNonNull(request, "request");
        candidates = candidates == null ? new ModelRef[0] : candidates;
    }

    public String seriesKey() {
        return request.seriesKey();
    }
}
