package io.patchcast.job.patch;

import java.time.Duration;
import java.util.Objects;

/**
 * How points become patches.
 *
 * @param patchSize points per patch (16 for Moirai-MoE)
 * @param contextLength most context slots sent to a model; a multiple of {@code patchSize}
 * @param step the series' step, or {@link Duration#ZERO} to infer it from the first points
 * @param stepInferencePoints points buffered to infer a step
 * @param allowedLateness how far behind the newest point of its series a point may arrive
 * @param maxGapSteps a gap of more missing steps than this resets the series' context
 */
public record PatchConfig(
        int patchSize,
        int contextLength,
        Duration step,
        int stepInferencePoints,
        Duration allowedLateness,
        int maxGapSteps) implements java.io.Serializable {

    public PatchConfig {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(allowedLateness, "allowedLateness");
        if (patchSize < 1) {
            throw new IllegalArgumentException("patchSize must be positive, got " + patchSize);
        }
        if (contextLength < 2 * patchSize || contextLength % patchSize != 0) {
            throw new IllegalArgumentException(String.format(
                    "contextLength must be a multiple of the patch size %d and at least two patches, got %d",
                    patchSize, contextLength));
        }
        if (step.isNegative()) {
            throw new IllegalArgumentException("step must not be negative, got " + step);
        }
        if (stepInferencePoints < 3) {
            throw new IllegalArgumentException(
                    "stepInferencePoints must be at least 3 (two intervals), got " + stepInferencePoints);
        }
        if (allowedLateness.isNegative()) {
            throw new IllegalArgumentException("allowedLateness must not be negative, got " + allowedLateness);
        }
        if (maxGapSteps < 1) {
            throw new IllegalArgumentException("maxGapSteps must be at least 1, got " + maxGapSteps);
        }
    }

    /** Ring capacity: a full context plus the patch being filled. */
    public int ringCapacity() {
        return contextLength + patchSize;
    }
}
