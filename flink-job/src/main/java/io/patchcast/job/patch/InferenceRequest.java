package io.patchcast.job.patch;

import io.patchcast.models.api.ForecastRequest;

/**
 * A request to forecast the patch starting at {@code patchStart} from the context before it.
 *
 * @param issueTime event time of the point whose arrival triggered the request
 * @param values (C) context values, oldest first
 * @param observed (C) which context slots hold observations
 */
public record InferenceRequest(
        String seriesKey,
        long patchStart,
        long stepMillis,
        long issueTime,
        float[] values,
        boolean[] observed) {

    public ForecastRequest toForecastRequest() {
        return new ForecastRequest(seriesKey, patchStart, values, observed);
    }
}
