package io.patchcast.job.patch;

import io.patchcast.job.source.DeadLetterRecord.Reason;
import io.patchcast.job.source.Point;
import java.util.Arrays;

/**
 * Places each point of a series on a regular grid and decides when to ask for a forecast.
 *
 * <p>The same code runs in the Flink job (state in keyed state) and in the offline {@code score}
 * command (state in a map), so both give the same results. Rules, in order, for a point at slot
 * {@code s = round((ts - anchor) / step)}:
 *
 * <ul>
 *   <li>more than {@code allowedLateness} behind the newest point of the series, or older than the
 *       context ring: {@code LATE};
 *   <li>a slot already holding an observation: {@code DUPLICATE};
 *   <li>more than {@code maxGapSteps} missing steps after the newest point: the point is held
 *       until the next one. If that one is past the gap too, the series has moved on: the context
 *       is reset and the held point starts a new one (warm-up again). If it continues the series,
 *       the held point was a lone wrong timestamp: {@code TIMESTAMP_JUMP} (so one bad clock does
 *       not throw away the series' context and make every later point {@code LATE});
 *   <li>when the step was inferred and at least half of the series' recent intervals stopped
 *       advancing one slot (its scrape interval was changed), the step is inferred again from those
 *       points and the context restarts on the new grid at this point (warm-up again), instead of
 *       every other point becoming a {@code DUPLICATE} or the context filling with holes;
 *   <li>otherwise the slot is filled; skipped slots are marked unobserved, never invented.
 * </ul>
 *
 * A forecast of patch P (slots 16P .. 16P+15) is requested once, as soon as either the last slot of
 * patch P-1 is filled or the first point of P arrives, and only when at least two patches of context
 * exist. Points of a patch with no forecast are warm-up points: scored 0, never flagged.
 */
public final class PatchAssembler {

    /** Receives what the assembler decides for a point. */
    public interface Output {
        void request(InferenceRequest request);

        void point(PatchPoint point);

        void deadLetter(Point point, Reason reason, String detail);
    }

    private final PatchConfig config;

    public PatchAssembler(PatchConfig config) {
        this.config = config;
    }

    public PatchConfig config() {
        return config;
    }

    /** A fresh state for a series seen for the first time. */
    public SeriesState newState() {
        SeriesState s = SeriesState.create(config.ringCapacity());
        s.stepMillis = config.step().toMillis();
        return s;
    }

    public void accept(SeriesState state, Point point, Output out) {
        conform(state, out);
        if (state.stepMillis == 0) {
            buffer(state, point, out);
            return;
        }
        Point jump = state.jump;
        if (jump != null) {
            state.jump = null;
            if (jumpsTheGap(state, point)) {
                place(state, jump, out, false);
            } else {
                out.deadLetter(jump, Reason.TIMESTAMP_JUMP, String.format(
                        "ts=%d is %d steps after the newest point of %s (ts=%d), but the next point (ts=%d)"
                                + " continues the series: taken for a wrong timestamp, not a restart",
                        jump.timestamp(), Math.round((jump.timestamp() - frontierTs(state)) / (double) state.stepMillis),
                        jump.seriesKey(), frontierTs(state), point.timestamp()));
            }
        }
        place(state, point, out, true);
    }

    /**
     * Brings a state restored from a savepoint of a job configured otherwise to this configuration:
     * a ring of another context length is rebuilt with the newest slots both can hold (a read past
     * the old ring would otherwise wrap around to the newest values); a configured step other than
     * the state's restarts the series on the configured grid (keeping the old one would make every
     * other point a DUPLICATE at half the step); points held for step inference are placed on a
     * newly configured step.
     */
    private void conform(SeriesState st, Output out) {
        if (st.capacity() != config.ringCapacity()) {
            st.resize(config.ringCapacity());
        }
        long configured = config.step().toMillis();
        if (configured == 0 || st.stepMillis == configured) {
            return;
        }
        long old = st.stepMillis;
        st.stepMillis = configured;
        if (old == 0) {
            Point[] pending = st.pending;
            st.pending = new Point[0];
            for (Point p : pending) {
                place(st, p, out, true);
            }
            return;
        }
        if (st.jump != null) {
            Point jump = st.jump;
            st.jump = null;
            out.deadLetter(jump, Reason.TIMESTAMP_JUMP, String.format(
                    "ts=%d was held as a possible wrong timestamp of %s when the configured step changed from %d ms to"
                            + " %d ms; the series restarts on the new grid from the next point",
                    jump.timestamp(), jump.seriesKey(), old, configured));
        }
        st.reset(st.anchor);
    }

    private static long frontierTs(SeriesState st) {
        return st.anchor + st.frontier * st.stepMillis;
    }

    /** Whether the point lies more than {@code maxGapSteps} missing steps after the newest point. */
    private boolean jumpsTheGap(SeriesState st, Point p) {
        return st.frontier >= 0 && pastTheGap(st, slotOf(st, p.timestamp()));
    }

    /** The grid slot nearest {@code ts}. */
    private static long slotOf(SeriesState st, long ts) {
        return Math.round((ts - st.anchor) / (double) st.stepMillis);
    }

    /** Whether a slot lies more than {@code maxGapSteps} missing steps after the newest filled one. */
    private boolean pastTheGap(SeriesState st, long slot) {
        return slot - st.frontier - 1 > config.maxGapSteps();
    }

    /**
     * Ends step inference with what is buffered (end of input, or the series went quiet): infers
     * from at least three points, else sends them to the dead-letter output.
     */
    public void flush(SeriesState state, Output out) {
        conform(state, out);
        if (state.jump != null) {
            // nothing came to contradict it: the series moved on
            Point jump = state.jump;
            state.jump = null;
            place(state, jump, out, false);
        }
        if (state.stepMillis != 0 || state.pending.length == 0) {
            return;
        }
        Point[] pending = state.pending;
        state.pending = new Point[0];
        long step = pending.length >= 3 ? inferStep(pending) : 0;
        if (step == 0) {
            for (Point p : pending) {
                out.deadLetter(p, Reason.STEP_UNKNOWN, String.format(
                        "cannot infer the step of %s from %d points %s; configure patchcast.patch.step",
                        p.seriesKey(), pending.length, intervals(pending)));
            }
            return;
        }
        state.stepMillis = step;
        for (Point p : pending) {
            place(state, p, out, true);
        }
    }

    /** Whether the series still holds points back (for step inference, or a jump to confirm). */
    public static boolean hasPending(SeriesState state) {
        return state.pending.length > 0 || state.jump != null;
    }

    private void buffer(SeriesState state, Point point, Output out) {
        for (Point p : state.pending) {
            if (p.timestamp() == point.timestamp()) {
                out.deadLetter(point, Reason.DUPLICATE, String.format(
                        "ts=%d already seen for %s (while inferring its step)", point.timestamp(),
                        point.seriesKey()));
                return;
            }
        }
        Point[] pending = Arrays.copyOf(state.pending, state.pending.length + 1);
        pending[pending.length - 1] = point;
        Arrays.sort(pending, (a, b) -> Long.compare(a.timestamp(), b.timestamp()));
        state.pending = pending;
        if (pending.length < config.stepInferencePoints()) {
            return;
        }
        long step = inferStep(pending);
        state.pending = new Point[0];
        if (step == 0) {
            for (Point p : pending) {
                out.deadLetter(p, Reason.STEP_UNKNOWN, String.format(
                        "no regular step among the first %d points of %s, intervals (ms) %s;"
                                + " expected most intervals to be equal, or configure patchcast.patch.step",
                        pending.length, p.seriesKey(), intervals(pending)));
            }
            return;
        }
        state.stepMillis = step;
        for (Point p : pending) {
            place(state, p, out, true);
        }
    }

    /** Intervals within this fraction of their median count as one step jittered by the scraper. */
    static final double JITTER = 0.05;

    /**
     * The most frequent interval between consecutive points, if at least half are that; else, when
     * at least half lie within {@link #JITTER} of their median (scrape timestamps jitter by a few
     * milliseconds), their mean rounded to a whole unit (1 s for steps of 10 s and more, 100 ms
     * from 1 s, and so on); else 0.
     */
    static long inferStep(Point[] sorted) {
        long[] ts = new long[sorted.length];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = sorted[i].timestamp();
        }
        return inferStep(ts);
    }

    /** {@link #inferStep(Point[])} on ascending timestamps. */
    static long inferStep(long[] sortedTs) {
        long[] d = new long[sortedTs.length - 1];
        for (int i = 1; i < sortedTs.length; i++) {
            d[i - 1] = sortedTs[i] - sortedTs[i - 1];
        }
        Arrays.sort(d);
        long best = 0;
        int bestCount = 0;
        for (int i = 0; i < d.length; ) {
            int j = i;
            while (j < d.length && d[j] == d[i]) {
                j++;
            }
            if (j - i > bestCount && d[i] > 0) {
                best = d[i];
                bestCount = j - i;
            }
            i = j;
        }
        if (2 * bestCount >= d.length) {
            return best;
        }
        long median = d[d.length / 2];
        if (median <= 0) {
            return 0;
        }
        double sum = 0;
        int near = 0;
        for (long x : d) {
            if (Math.abs(x - median) <= JITTER * median) {
                sum += x;
                near++;
            }
        }
        if (2 * near < d.length) {
            return 0;
        }
        long unit = 1;
        while (unit < 1000 && unit * 100 <= median) {
            unit *= 10;
        }
        return Math.max(unit, Math.round(sum / near / unit) * unit);
    }

    /** Arrivals looked at to notice that an inferred step no longer fits: the inference's own count, at most 64. */
    int stepWindow() {
        return Math.min(config.stepInferencePoints(), 64);
    }

    /**
     * Records a point that reaches or passes the newest slot and says whether the series' inferred
     * step has changed (a scrape interval reconfigured): at least half of the last {@link
     * #stepWindow} intervals did not advance exactly one slot (two points on one slot, or skipped
     * slots), those arrivals infer a step more than {@link #JITTER} away from the current one, and
     * every one of their intervals is a whole number of the new step (within {@link #JITTER}).
     * Then {@code stepMillis} is the new step and the caller restarts the context. A configured step
     * is never changed; missed scrapes leave intervals of one step among the others, or infer the
     * same step, and change nothing.
     *
     * @param off whether this point did not advance exactly one slot from the newest
     */
    private boolean stepChanged(SeriesState st, long ts, boolean off) {
        if (!config.step().isZero()) {
            return false;
        }
        int n = stepWindow();
        if (st.arrivals == null || st.arrivals.length != n) {
            st.arrivals = new long[n];
            st.arrivalCount = 0;
            st.offGridMask = 0;
        }
        if (st.arrivalCount > 0) {
            if (ts <= st.arrivals[(int) ((st.arrivalCount - 1) % n)]) {
                return false; // not newer than the newest arrival: says nothing about the interval
            }
            st.offGridMask = (st.offGridMask << 1) | (off ? 1 : 0);
        }
        st.arrivals[(int) (st.arrivalCount % n)] = ts;
        st.arrivalCount++;
        int intervals = n - 1;
        if (st.arrivalCount < n || 2 * Long.bitCount(st.offGridMask & ((1L << intervals) - 1)) < intervals) {
            return false;
        }
        long[] window = new long[n];
        for (int i = 0; i < n; i++) {
            window[i] = st.arrivals[(int) ((st.arrivalCount - n + i) % n)];
        }
        long step = inferStep(window);
        if (step == 0 || Math.abs(step - st.stepMillis) <= JITTER * st.stepMillis) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            long d = window[i] - window[i - 1];
            if (Math.abs(d - Math.max(1, Math.round(d / (double) step)) * step) > JITTER * step) {
                return false; // an interval the new step does not explain: lost scrapes, not a new interval
            }
        }
        st.stepMillis = step;
        st.arrivals[0] = ts;
        st.arrivalCount = 1;
        st.offGridMask = 0;
        return true;
    }

    private static String intervals(Point[] sorted) {
        long[] d = new long[Math.max(0, sorted.length - 1)];
        for (int i = 1; i < sorted.length; i++) {
            d[i - 1] = sorted[i].timestamp() - sorted[i - 1].timestamp();
        }
        return Arrays.toString(d);
    }

    /** @param mayHold whether a point past the gap is held for confirmation (false: reset at once) */
    private void place(SeriesState st, Point p, Output out, boolean mayHold) {
        long step = st.stepMillis;
        int ps = config.patchSize();
        long ts = p.timestamp();
        if (st.frontier < 0) {
            st.anchor = ts;
        }
        long slot = slotOf(st, ts);
        boolean resetByGap = false;
        if (st.frontier >= 0) {
            long frontierTs = frontierTs(st);
            long lateness = config.allowedLateness().toMillis();
            if (slot < 0 || ts < frontierTs - lateness || st.frontier - slot >= st.capacity()) {
                out.deadLetter(p, Reason.LATE, String.format(
                        "ts=%d is %d ms behind the newest point of %s (ts=%d); allowedLateness=%s",
                        ts, frontierTs - ts, p.seriesKey(), frontierTs, config.allowedLateness()));
                return;
            }
            if (pastTheGap(st, slot)) {
                if (mayHold) {
                    st.jump = p;
                    return;
                }
                st.reset(ts);
                slot = 0;
                resetByGap = true;
            }
        }
        if (slot >= st.frontier && stepChanged(st, ts, st.frontier < 0 ? resetByGap : slot != st.frontier + 1)) {
            st.reset(ts); // the scrape interval changed: a new context on the new grid
            slot = 0;
            step = st.stepMillis;
        }
        if (slot <= st.frontier) {
            if (st.isObserved(slot)) {
                out.deadLetter(p, Reason.DUPLICATE, String.format(
                        "ts=%d falls on grid slot %s of %s, which already holds a point (step %d ms)",
                        ts, st.anchor + slot * step, p.seriesKey(), step));
                return;
            }
        } else {
            long missing = Math.min(slot - st.frontier - 1, st.capacity());
            for (long s = slot - missing; s < slot; s++) {
                st.setObserved(s, false);
            }
            st.frontier = slot;
        }
        st.put(slot, (float) p.value());

        long patch = slot / ps;
        if (patch > st.lastRequestedPatch && patch >= 2) {
            request(st, patch, p.seriesKey(), ts, out);
        }
        out.point(new PatchPoint(p.seriesKey(), ts, p.value(), st.anchor + patch * ps * step,
                (int) (slot - patch * ps), step, st.wasRequested(patch)));
        long next = patch + 1;
        if (slot % ps == ps - 1 && next > st.lastRequestedPatch && next >= 2 && slot == st.frontier) {
            request(st, next, p.seriesKey(), ts, out);
        }
    }

    private void request(SeriesState st, long patch, String key, long issueTime, Output out) {
        int ps = config.patchSize();
        int len = (int) Math.min(patch * ps, config.contextLength());
        long first = patch * ps - len;
        float[] values = new float[len];
        boolean[] observed = new boolean[len];
        for (int i = 0; i < len; i++) {
            long s = first + i;
            observed[i] = s <= st.frontier && st.isObserved(s);
            values[i] = observed[i] ? st.value(s) : 0f;
        }
        st.markRequested(patch);
        out.request(new InferenceRequest(key, st.anchor + patch * ps * st.stepMillis, st.stepMillis,
                issueTime, values, observed));
    }
}
