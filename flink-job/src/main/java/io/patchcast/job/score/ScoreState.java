package io.patchcast.job.score;

import io.patchcast.job.alert.AlertState;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.patch.PatchPoint;

/**
 * Keyed scoring state of one series (Flink POJO).
 *
 * <p>Points wait here, in arrival order, until the forecast of their patch is back from inference;
 * forecasts stay until no point within the allowed lateness can need them.
 */
public class ScoreState {
    public ForecastResult[] forecasts = new ForecastResult[0];
    public PatchPoint[] queue = new PatchPoint[0];
    public long maxTimestamp = Long.MIN_VALUE;
    public AlertState alert;

    public ScoreState() {}
}
