package io.patchcast.job.inference;

import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.job.route.RoutedRequest;
import io.patchcast.store.ModelRef;
import java.util.Arrays;
import java.util.List;

/**
 * What one async inference call forecasts: a single series, or every channel of a multichannel
 * model's group for one patch, in channel order. Arrays, not lists, so Flink serializes it as a
 * POJO.
 *
 * @param candidates the versions that may serve it, most wanted first; empty: the default model
 * @param channels the group's channels (the series keys of {@code requests}, in order); empty for a
 *     single series
 */
public record InferenceTask(InferenceRequest[] requests, ModelRef[] candidates, String[] channels) {

    public InferenceTask {
        candidates = candidates == null ? new ModelRef[0] : candidates;
        channels = channels == null ? new String[0] : channels;
        if (requests == null || requests.length == 0) {
            throw new IllegalArgumentException("a task holds at least one request");
        }
        if (channels.length > 0) {
            if (channels.length != requests.length) {
                throw new IllegalArgumentException(String.format(
                        "a group of %d channels needs %d requests, got %d", channels.length, channels.length,
                        requests.length));
            }
            for (int i = 0; i < channels.length; i++) {
                if (!channels[i].equals(requests[i].seriesKey())) {
                    throw new IllegalArgumentException(String.format(
                            "request %d is '%s', expected channel '%s'", i, requests[i].seriesKey(), channels[i]));
                }
            }
        } else if (requests.length != 1) {
            throw new IllegalArgumentException("a task without channels holds one request, got " + requests.length);
        }
    }

    public static InferenceTask single(InferenceRequest request, ModelRef[] candidates) {
        return new InferenceTask(new InferenceRequest[] {request}, candidates, null);
    }

    /** A routed request alone (a group member forecast on its own leaves its group behind). */
    public static InferenceTask single(RoutedRequest r) {
        return single(r.request(), r.candidates());
    }

    public boolean isGroup() {
        return channels.length > 0;
    }

    public List<String> channelList() {
        return List.of(channels);
    }

    @Override
    public String toString() {
        return (isGroup() ? "group " + Arrays.toString(channels) : requests[0].seriesKey()) + " @"
                + requests[0].patchStart();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InferenceTask t && Arrays.equals(requests, t.requests)
                && Arrays.equals(candidates, t.candidates) && Arrays.equals(channels, t.channels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(requests) + Arrays.hashCode(candidates)) + Arrays.hashCode(channels);
    }
}
