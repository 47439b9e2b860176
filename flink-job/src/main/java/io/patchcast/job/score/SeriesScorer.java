package io.patchcast.job.score;

import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.alert.AlertTracker;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.patch.PatchPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Joins a series' points with the forecasts of their patches, scores each point and feeds the alert
 * tracker, strictly in the order the points arrived (alerts never see points out of order, even when
 * forecasts come back from the async inference out of order).
 */
public final class SeriesScorer {

    /** Receives scored points and alert transitions. */
    public interface Output {
        void scored(ScoredPoint point, boolean alertFiring);

        void alert(AlertEvent event);
    }

    private final AnomalyScorer scorer;
    private final AlertTracker alerts;
    private final long allowedLatenessMillis;

    public SeriesScorer(AnomalyScorer scorer, AlertTracker alerts, long allowedLatenessMillis) {
        this.scorer = scorer;
        this.alerts = alerts;
        this.allowedLatenessMillis = allowedLatenessMillis;
    }

    public AlertTracker alerts() {
        return alerts;
    }

    public ScoreState newState() {
        ScoreState s = new ScoreState();
        s.alert = alerts.newState();
        return s;
    }

    public void onForecast(ScoreState s, ForecastResult f, Output out) {
        ForecastResult[] fs = Arrays.copyOf(s.forecasts, s.forecasts.length + 1);
        fs[fs.length - 1] = f;
        s.forecasts = fs;
        drain(s, out);
    }

    public void onPoint(ScoreState s, PatchPoint p, Output out) {
        PatchPoint[] q = Arrays.copyOf(s.queue, s.queue.length + 1);
        q[q.length - 1] = p;
        s.queue = q;
        drain(s, out);
    }

    /** Points still waiting for a forecast. */
    public static int waiting(ScoreState s) {
        return s.queue.length;
    }

    private void drain(ScoreState s, Output out) {
        int done = 0;
        for (PatchPoint p : s.queue) {
            ForecastResult f = null;
            if (p.expectForecast()) {
                f = find(s, p.patchStart());
                if (f == null) {
                    break;
                }
            }
            ScoredPoint sp = scorer.score(s, p, f);
            AlertEvent e = alerts.onPoint(s.alert, p.seriesKey(), p.timestamp(), sp.flagged(), sp.score());
            out.scored(sp, s.alert.firing);
            if (e != null) {
                out.alert(e);
            }
            s.maxTimestamp = Math.max(s.maxTimestamp, p.timestamp());
            done++;
        }
        if (done > 0) {
            s.queue = Arrays.copyOfRange(s.queue, done, s.queue.length);
        }
        evict(s);
    }

    private static ForecastResult find(ScoreState s, long patchStart) {
        for (ForecastResult f : s.forecasts) {
            if (f.patchStart() == patchStart) {
                return f;
            }
        }
        return null;
    }

    private void evict(ScoreState s) {
        if (s.maxTimestamp == Long.MIN_VALUE) {
            return;
        }
        List<ForecastResult> keep = new ArrayList<>(s.forecasts.length);
        for (ForecastResult f : s.forecasts) {
            boolean needed = f.endExclusive() + allowedLatenessMillis > s.maxTimestamp;
            for (PatchPoint p : s.queue) {
                needed |= p.patchStart() == f.patchStart();
            }
            if (needed) {
                keep.add(f);
            }
        }
        if (keep.size() != s.forecasts.length) {
            s.forecasts = keep.toArray(new ForecastResult[0]);
        }
    }
}
