package io.patchcast.job.route;

import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.store.ModelRef;

/**
 * A request with the model versions that may serve it, most wanted first (see {@link
 * io.patchcast.store.RoutingTable#candidates}); empty: the default model.
 *
 * @param channels the channel group of the multichannel model its rule names, in channel order
 *     (the request is then one member of a group, see {@link GroupAssembler}); empty otherwise
 */
public record RoutedRequest(InferenceRequest request, ModelRef[] candidates, String[] channels) {

    public RoutedRequest {
        java.util.Objects.requireNonNull(request, "request");
        candidates = candidates == null ? new ModelRef[0] : candidates;
        channels = channels == null ? new String[0] : channels;
    }

    public RoutedRequest(InferenceRequest request, ModelRef[] candidates) {
        this(request, candidates, null);
    }

    public String seriesKey() {
        return request.seriesKey();
    }

    public boolean isGroupMember() {
        return channels.length > 0;
    }

    /** The key of its channel group: the channels joined by new lines (no series key holds one). */
    public String groupKey() {
        return String.join("\n", channels);
    }
}
