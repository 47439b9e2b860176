package io.patchcast.models.api;

/**
 * The context of one series, ending right before the first step to forecast.
 *
 * @param seriesKey identifies the series; with {@code patchStart} and the model version it seeds any
 *     random draws, so a replay gives the same forecast whatever else shares the batch
 * @param patchStart event time (epoch ms) of the first step to forecast
 * @param values (C) context values, oldest first; entries where {@code observed} is false are
 *     ignored by every model (their content is unspecified)
 * @param observed (C) whether each context slot holds an actual observation
 */
public record ForecastRequest(String seriesKey, long patchStart, float[] values, boolean[] observed) {

    public ForecastRequest {
        if (values.length != observed.length) {
            throw new IllegalArgumentException(String.format(
                    "values (%d) and observed (%d) must have the same length", values.length,
                    observed.length));
        }
        if (values.length == 0) {
            throw new IllegalArgumentException("empty context for " + seriesKey);
        }
    }

    public int length() {
        return values.length;
    }
}
