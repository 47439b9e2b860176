package io.patchcast.job.inference;

import io.patchcast.models.api.QuantileForecast;

/**
 * One request's share of a model call.
 *
 * @param batchSize series in the model call that served it
 * @param queueWaitNanos from submission to the start of that call
 * @param inferenceNanos duration of that call
 */
public record BatchResult(QuantileForecast forecast, int batchSize, long queueWaitNanos, long inferenceNanos) {}
