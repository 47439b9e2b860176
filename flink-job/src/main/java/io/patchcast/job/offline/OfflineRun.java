package io.patchcast.job.offline;

import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.alert.AlertTracker;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.inference.ForecastStatus;
import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.job.patch.PatchAssembler;
import io.patchcast.job.patch.PatchPoint;
import io.patchcast.job.patch.SeriesState;
import io.patchcast.job.score.AnomalyScorer;
import io.patchcast.job.score.ScoreConfig;
import io.patchcast.job.score.ScoreState;
import io.patchcast.job.score.ScoredPoint;
import io.patchcast.job.score.SeriesScorer;
import io.patchcast.job.source.DeadLetterRecord.Reason;
import io.patchcast.job.source.MetricPointCodec;
import io.patchcast.job.source.Point;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one series through the job's own patching, forecasting, scoring and alert code without a
 * cluster: the {@code score} command and evaluations use it, so offline results are the job's.
 * Forecasts are computed synchronously when the assembler asks for them.
 */
public final class OfflineRun {

    /** What happened to one input point. */
    public record Row(Point point, ScoredPoint scored, boolean alertFiring, String rejectReason, String rejectDetail) {}

    /** The outcome of a series: one row per input point, in input order, plus everything emitted. */
    public record Result(List<Row> rows, List<ForecastResult> forecasts, List<AlertEvent> alerts) {}

    private final PatchAssembler assembler;
    private final Forecaster forecaster;
    private final AnomalyScorer scorer;
    private final AlertTracker tracker;
    private final long allowedLatenessMillis;
    private final int horizon;

    public OfflineRun(PatchAssembler assembler, Forecaster forecaster, ScoreConfig score, AlertTracker tracker) {
        this.assembler = assembler;
        this.forecaster = forecaster;
        this.scorer = new AnomalyScorer(score);
        this.tracker = tracker;
        this.allowedLatenessMillis = assembler.config().allowedLateness().toMillis();
        this.horizon = assembler.config().patchSize();
    }

    /** Scores the points of one series, given in arrival order. */
    public Result run(List<Point> points) {
        SeriesScorer seriesScorer = new SeriesScorer(scorer, tracker, allowedLatenessMillis);
        SeriesState state = assembler.newState();
        ScoreState score = seriesScorer.newState();
        List<ForecastResult> forecasts = new ArrayList<>();
        List<AlertEvent> alerts = new ArrayList<>();
        Map<Point, Row> byPoint = new HashMap<>();
        Map<Long, Point> acceptedByTs = new HashMap<>();

        SeriesScorer.Output scoreOut = new SeriesScorer.Output() {
            @Override
            public void scored(ScoredPoint p, boolean alertFiring) {
                Point src = acceptedByTs.remove(p.timestamp());
                byPoint.put(src, new Row(src, p, alertFiring, null, null));
            }

            @Override
            public void alert(AlertEvent e) {
                alerts.add(e);
            }
        };
        PatchAssembler.Output out = new PatchAssembler.Output() {
            @Override
            public void request(InferenceRequest r) {
                QuantileForecast f = forecaster.forecast(List.of(r.toForecastRequest()), horizon).get(0);
                ForecastResult fr = new ForecastResult(r.seriesKey(), r.patchStart(), r.stepMillis(),
                        r.issueTime(), r.values().length, forecaster.name(), forecaster.version(),
                        ForecastStatus.OK, f.quantiles(), f.mean());
                forecasts.add(fr);
                seriesScorer.onForecast(score, fr, scoreOut);
            }

            @Override
            public void point(PatchPoint p) {
                seriesScorer.onPoint(score, p, scoreOut);
            }

            @Override
            public void deadLetter(Point p, Reason reason, String detail) {
                acceptedByTs.remove(p.timestamp(), p);
                byPoint.put(p, new Row(p, null, false, reason.name(), detail));
            }
        };
        for (Point p : points) {
            String nonFinite = MetricPointCodec.nonFinite(p.value()); // the job's decoder rejects these
            if (nonFinite != null) {
                byPoint.put(p, new Row(p, null, false, Reason.NON_FINITE.name(), nonFinite));
                continue;
            }
            acceptedByTs.putIfAbsent(p.timestamp(), p);
            assembler.accept(state, p, out);
        }
        assembler.flush(state, out);
        List<Row> rows = new ArrayList<>(points.size());
        for (Point p : points) {
            Row r = byPoint.get(p);
            if (r == null) {
                throw new IllegalStateException("no outcome for point " + p.timestamp() + " of " + p.seriesKey());
            }
            rows.add(r);
        }
        return new Result(rows, forecasts, alerts);
    }
}
