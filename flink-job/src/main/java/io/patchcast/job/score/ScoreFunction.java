package io.patchcast.job.score;

import io.patchcast.job.Tags;
import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.alert.AlertPolicy;
import io.patchcast.job.alert.AlertTracker;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.patch.PatchPoint;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by series: joins points (input 1) with the forecasts of their patches (input 2) through
 * {@link SeriesScorer}; scored points go out, alert transitions to {@link Tags#ALERTS}.
 *
 * <p>A firing alert whose series scores no point for {@link #QUIET_STEPS} times {@code
 * recover-after} steps of event time (the watermark, driven by the other series) is resolved then
 * ({@link AlertTracker#quiet}): a host that died mid-incident does not leave its alert open for ever.
 * Not when the input ends (a drained stop, the end of bounded input): the series did not go quiet.
 */
public final class ScoreFunction extends KeyedCoProcessFunction<String, PatchPoint, ForecastResult, ScoredPoint> {

    private static final int METRIC_WINDOW = 1000;

    /** A firing alert resolves after this many times recover-after steps without a scored point. */
    static final int QUIET_STEPS = 2;

    private final ScoreConfig config;
    private final AlertPolicy policy;
    private final long allowedLatenessMillis;
    private final Duration stateTtl;
    private transient SeriesScorer scorer;
    private transient ValueState<ScoreState> state;
    private transient Counter scored;
    private transient Counter flagged;
    private transient Counter alerts;
    private transient MetricGroup metrics;
    private transient java.util.Map<String, RollingRate> coverageByModel;
    private transient RollingRate flagRate;
    private transient RollingRate coverage;

    public ScoreFunction(ScoreConfig config, AlertPolicy policy, Duration allowedLateness, Duration stateTtl) {
        this.config = config;
        this.policy = policy;
        this.allowedLatenessMillis = allowedLateness.toMillis();
        this.stateTtl = stateTtl;
    }

    @Override
    public void open(OpenContext ctx) {
        scorer = new SeriesScorer(new AnomalyScorer(config), new AlertTracker(policy), allowedLatenessMillis);
        ValueStateDescriptor<ScoreState> d = new ValueStateDescriptor<>("score", ScoreState.class);
        d.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl).build());
        state = getRuntimeContext().getState(d);
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("patchcast");
        scored = g.counter("scoredPoints");
        flagged = g.counter("flaggedPoints");
        alerts = g.counter("alertTransitions");
        flagRate = new RollingRate(METRIC_WINDOW);
        coverage = new RollingRate(METRIC_WINDOW);
        g.gauge("flagRate", flagRate::rate);
        g.gauge("intervalCoverage", coverage::rate);
        metrics = g;
        coverageByModel = new java.util.HashMap<>();
    }

    /** The rolling interval coverage of one model's forecasts (group patchcast.model.<name>), made on first use. */
    private RollingRate coverageOf(String model) {
        return coverageByModel.computeIfAbsent(model, m -> {
            RollingRate r = new RollingRate(METRIC_WINDOW);
            metrics.addGroup("model", m).gauge("intervalCoverage", r::rate);
            return r;
        });
    }

    @Override
    public void processElement1(PatchPoint p, Context ctx, Collector<ScoredPoint> out) throws Exception {
        ScoreState s = current();
        s.stepMillis = p.stepMillis();
        scorer.onPoint(s, p, output(ctx, out));
        quietTimer(s, ctx.timerService());
        state.update(s);
    }

    @Override
    public void processElement2(ForecastResult f, Context ctx, Collector<ScoredPoint> out) throws Exception {
        ScoreState s = current();
        scorer.onForecast(s, f, output(ctx, out));
        quietTimer(s, ctx.timerService());
        state.update(s);
    }

    /** One timer per firing series, at its newest scored point plus the quiet span; none otherwise. */
    private void quietTimer(ScoreState s, org.apache.flink.streaming.api.TimerService timers) {
        long due = s.alert != null && s.alert.firing && s.maxTimestamp != Long.MIN_VALUE && s.stepMillis > 0
                ? s.maxTimestamp + QUIET_STEPS * (long) policy.recoverAfter() * s.stepMillis : Long.MIN_VALUE;
        if (due == s.quietTimer) {
            return;
        }
        if (s.quietTimer != Long.MIN_VALUE) {
            timers.deleteEventTimeTimer(s.quietTimer);
        }
        if (due != Long.MIN_VALUE) {
            timers.registerEventTimeTimer(due);
        }
        s.quietTimer = due;
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<ScoredPoint> out) throws Exception {
        ScoreState s = state.value();
        if (s == null || s.quietTimer != ts) {
            return; // expired state, or a timer replaced meanwhile
        }
        s.quietTimer = Long.MIN_VALUE;
        if (ctx.timerService().currentWatermark() != Long.MAX_VALUE) { // the end of input is not quiet
            AlertEvent e = scorer.alerts().quiet(s.alert, ctx.getCurrentKey(), ts);
            if (e != null) {
                alerts.inc();
                ctx.output(Tags.ALERTS, e);
            }
        }
        state.update(s);
    }

    private ScoreState current() throws Exception {
        ScoreState s = state.value();
        return s == null ? scorer.newState() : s;
    }

    private SeriesScorer.Output output(Context ctx, Collector<ScoredPoint> out) {
        return new SeriesScorer.Output() {
            @Override
            public void scored(ScoredPoint p, boolean alertFiring) {
                scored.inc();
                if (p.scoredPastWarmup()) {
                    flagRate.add(p.flagged());
                }
                if (!p.warmup()) {
                    coverage.add(p.insideInterval());
                    coverageOf(p.model()).add(p.insideInterval());
                }
                if (p.flagged()) {
                    flagged.inc();
                }
                out.collect(p);
            }

            @Override
            public void alert(AlertEvent e) {
                alerts.inc();
                ctx.output(Tags.ALERTS, e);
            }
        };
    }
}
