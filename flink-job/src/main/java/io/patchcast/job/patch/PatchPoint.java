package io.patchcast.job.patch;

/**
 * An accepted point, placed on its series' grid, on its way to be scored.
 *
 * @param patchStart timestamp of the first slot of the point's patch (identifies the patch)
 * @param stepIndex position of the point in its patch, 0 .. patchSize-1
 * @param expectForecast whether a forecast was requested for the patch; false = warm-up
 */
public record PatchPoint(
        String seriesKey,
        long timestamp,
        double value,
        long patchStart,
        int stepIndex,
        long stepMillis,
        boolean expectForecast) {}
