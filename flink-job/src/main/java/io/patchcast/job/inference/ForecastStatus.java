package io.patchcast.job.inference;

/** How a forecast was produced (mirrors the Avro enum of the forecasts topic). */
public enum ForecastStatus {
    /** The routed model answered. */
    OK,
    /** The routed model was missing, loading or failed; the statistical fallback answered. */
    FALLBACK,
    /** The routed model did not answer within the timeout; the statistical fallback answered. */
    TIMEOUT
}
