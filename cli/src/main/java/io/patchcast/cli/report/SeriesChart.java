package io.patchcast.cli.report;

import static io.patchcast.cli.report.Downsampler.px;

import io.patchcast.schema.AnomalyFlag;
import java.util.Arrays;
import java.util.List;

/**
 * The SVG chart of one series, drawn back to front: labelled windows, alert episodes, grid,
 * forecast band, expected median, actual values, labelled timestamps, flagged points, axes and
 * legend. Styling comes from the page's CSS classes, so the markup stays small.
 */
final class SeriesChart {
    static final int WIDTH = 1100;
    static final int HEIGHT = 260;
    private static final int LEFT = 62;
    private static final int RIGHT = 14;
    private static final int TOP = 26;
    private static final int BOTTOM = 36;
    static final int PLOT_W = WIDTH - LEFT - RIGHT;
    private static final int PLOT_H = HEIGHT - TOP - BOTTOM;
    /** A time gap longer than this many median steps breaks the lines (missing data). */
    private static final int GAP_STEPS = 3;
    /** Narrowest drawn episode or window, in pixels, so a one-point episode stays visible. */
    private static final double MIN_RECT_W = 2;

    private final SeriesData series;
    private final SeriesStats stats;
    private final StringBuilder svg = new StringBuilder(64 * 1024);
    private long t0;
    private long t1;
    private NiceTicks yTicks;

    private SeriesChart(SeriesData series, SeriesStats stats) {
        this.series = series;
        this.stats = stats;
    }

    static String render(SeriesData series, SeriesStats stats) {
        return new SeriesChart(series, stats).draw();
    }

    private String draw() {
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 ")
                .append(WIDTH).append(' ').append(HEIGHT).append("\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" role=\"img\" aria-label=\"")
                .append(Html.esc(series.key())).append("\">");
        List<AnomalyFlag> flags = series.flags();
        if (flags.isEmpty()) {
            svg.append("<text class=\"empty\" x=\"").append(WIDTH / 2).append("\" y=\"")
                    .append(HEIGHT / 2).append("\">no points</text></svg>");
            return svg.toString();
        }
        domains(flags);
        svg.append("<rect class=\"plot\" x=\"").append(LEFT).append("\" y=\"").append(TOP)
                .append("\" width=\"").append(PLOT_W).append("\" height=\"").append(PLOT_H)
                .append("\"/>");
        windows();
        episodes();
        grid();
        series(flags);
        labelledTimestamps();
        flaggedPoints(flags);
        axes();
        legend(flags);
        return svg.append("</svg>").toString();
    }

    private void domains(List<AnomalyFlag> flags) {
        t0 = flags.get(0).getTimestamp().toEpochMilli();
        t1 = flags.get(flags.size() - 1).getTimestamp().toEpochMilli();
        if (t1 == t0) {
            t0 -= 60_000;
            t1 += 60_000;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (AnomalyFlag f : flags) {
            for (Double v : new Double[] {f.getValue(), f.getLower(), f.getUpper()}) {
                if (v != null && Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        yTicks = NiceTicks.of(lo, hi, 5);
    }

    private double x(long t) {
        return LEFT + (double) (t - t0) / (t1 - t0) * PLOT_W;
    }

    private double y(double v) {
        return TOP + PLOT_H - (v - yTicks.min()) / (yTicks.max() - yTicks.min()) * PLOT_H;
    }

    /** A full-height rectangle over {@code [start, end]}, clipped to the plot. */
    private void span(String cls, long start, long end, String title) {
        if (end < t0 || start > t1) {
            return;
        }
        double a = x(Math.max(start, t0));
        double b = x(Math.min(end, t1));
        if (b - a < MIN_RECT_W) {
            double mid = (a + b) / 2;
            a = Math.max(LEFT, mid - MIN_RECT_W / 2);
            b = a + MIN_RECT_W;
        }
        svg.append("<rect class=\"").append(cls).append("\" x=\"").append(px(a))
                .append("\" y=\"").append(TOP).append("\" width=\"").append(px(b - a))
                .append("\" height=\"").append(PLOT_H).append("\"><title>")
                .append(Html.esc(title)).append("</title></rect>");
    }

    private void windows() {
        for (TimeWindow w : series.labelledWindows()) {
            span("win", w.startMillis(), w.endMillis(),
                    "labelled anomaly " + Html.time(w.startMillis()) + " \u2013 "
                            + Html.time(w.endMillis()));
        }
    }

    private void episodes() {
        for (Episode e : stats.episodes()) {
            if (e.end() < t0 || e.start() > t1) {
                continue;
            }
            // a solid bar on top keeps an episode visible where it overlaps a labelled window
            double a = x(Math.max(e.start(), t0));
            double b = Math.max(a + MIN_RECT_W, x(Math.min(e.end(), t1)));
            svg.append("<rect class=\"ep-bar\" x=\"")
                    .append(px(Math.min(a, LEFT + PLOT_W - MIN_RECT_W)))
                    .append("\" y=\"").append(TOP).append("\" width=\"").append(px(b - a))
                    .append("\" height=\"4\"/>");
            span("ep", e.start(), e.end(),
                    "alert " + Html.time(e.start()) + " \u2013 "
                            + (e.open() ? "still firing" : Html.time(e.end()))
                            + ", " + e.points() + " flagged points, peak score "
                            + Html.num(e.peakScore()));
        }
    }

    private void grid() {
        svg.append("<g class=\"grid\">");
        for (double v : yTicks.values()) {
            double yy = y(v);
            svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + PLOT_W)
                    .append("\" y1=\"").append(px(yy)).append("\" y2=\"").append(px(yy))
                    .append("\"/>");
        }
        long step = TimeTicks.step(t1 - t0, PLOT_W / 110);
        for (long t : TimeTicks.ticks(t0, t1, step)) {
            double xx = x(t);
            svg.append("<line x1=\"").append(px(xx)).append("\" x2=\"").append(px(xx))
                    .append("\" y1=\"").append(TOP).append("\" y2=\"").append(TOP + PLOT_H)
                    .append("\"/>");
        }
        svg.append("</g>");
    }

    private void series(List<AnomalyFlag> flags) {
        int n = flags.size();
        double[] xs = new double[n];
        double[] value = new double[n];
        double[] expected = new double[n];
        double[] top = new double[n];
        double[] bottom = new double[n];
        boolean[] breakBefore = new boolean[n];
        long maxGap = GAP_STEPS * medianStep(flags);
        for (int i = 0; i < n; i++) {
            AnomalyFlag f = flags.get(i);
            long t = f.getTimestamp().toEpochMilli();
            xs[i] = x(t);
            value[i] = Double.isFinite(f.getValue()) ? y(f.getValue()) : Double.NaN;
            expected[i] = pixel(f.getExpected());
            boolean band = f.getLower() != null && f.getUpper() != null;
            top[i] = band ? pixel(f.getUpper()) : Double.NaN;
            bottom[i] = band ? pixel(f.getLower()) : Double.NaN;
            breakBefore[i] =
                    i > 0 && t - flags.get(i - 1).getTimestamp().toEpochMilli() > maxGap;
        }
        path("band", Downsampler.band(xs, top, bottom, breakBefore));
        path("expected", Downsampler.line(xs, expected, breakBefore));
        path("actual", Downsampler.line(xs, value, breakBefore));
    }

    private double pixel(Double v) {
        return v == null || !Double.isFinite(v) ? Double.NaN : y(v);
    }

    private void path(String cls, String d) {
        if (!d.isEmpty()) {
            svg.append("<path class=\"").append(cls).append("\" d=\"").append(d).append("\"/>");
        }
    }

    private static long medianStep(List<AnomalyFlag> flags) {
        if (flags.size() < 2) {
            return Long.MAX_VALUE / 4;
        }
        long[] steps = new long[flags.size() - 1];
        for (int i = 1; i < flags.size(); i++) {
            steps[i - 1] =
                    flags.get(i).getTimestamp().toEpochMilli()
                            - flags.get(i - 1).getTimestamp().toEpochMilli();
        }
        Arrays.sort(steps);
        return Math.max(1, steps[steps.length / 2]);
    }

    private void labelledTimestamps() {
        for (long t : series.labelledTimestamps()) {
            if (t < t0 || t > t1) {
                continue;
            }
            String xx = px(x(t));
            svg.append("<line class=\"lts\" x1=\"").append(xx).append("\" x2=\"").append(xx)
                    .append("\" y1=\"").append(TOP).append("\" y2=\"").append(TOP + PLOT_H)
                    .append("\"><title>labelled anomaly ").append(Html.esc(Html.time(t)))
                    .append("</title></line>");
        }
    }

    /** Every flagged point gets its own dot, however dense the series. */
    private void flaggedPoints(List<AnomalyFlag> flags) {
        for (AnomalyFlag f : flags) {
            if (!f.getFlagged()) {
                continue;
            }
            long t = f.getTimestamp().toEpochMilli();
            String tip = Html.time(t) + "\nvalue " + Html.num(f.getValue())
                    + (f.getExpected() == null ? "" : "\nexpected " + Html.num(f.getExpected()))
                    + (f.getLower() == null || f.getUpper() == null ? ""
                            : String.format(" [%s, %s]", Html.num(f.getLower()),
                                    Html.num(f.getUpper())))
                    + "\nscore " + Html.num(f.getScore());
            svg.append("<circle class=\"flag\" cx=\"").append(px(x(t))).append("\" cy=\"")
                    .append(px(y(f.getValue()))).append("\" r=\"3\"><title>")
                    .append(Html.esc(tip)).append("</title></circle>");
        }
    }

    private void axes() {
        svg.append("<g class=\"axis\">");
        svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + PLOT_W)
                .append("\" y1=\"").append(TOP + PLOT_H).append("\" y2=\"")
                .append(TOP + PLOT_H).append("\"/>");
        svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT)
                .append("\" y1=\"").append(TOP).append("\" y2=\"").append(TOP + PLOT_H)
                .append("\"/>");
        for (double v : yTicks.values()) {
            svg.append("<text class=\"yl\" x=\"").append(LEFT - 6).append("\" y=\"")
                    .append(px(y(v) + 4)).append("\">").append(Html.esc(yTicks.label(v)))
                    .append("</text>");
        }
        long step = TimeTicks.step(t1 - t0, PLOT_W / 110);
        long previous = Long.MIN_VALUE;
        for (long t : TimeTicks.ticks(t0, t1, step)) {
            String[] label = TimeTicks.label(t, step, previous);
            previous = t;
            String xx = px(x(t));
            svg.append("<text class=\"xl\" x=\"").append(xx).append("\" y=\"")
                    .append(TOP + PLOT_H + 14).append("\">").append(label[0]);
            if (!label[1].isEmpty()) {
                svg.append("<tspan class=\"xd\" x=\"").append(xx).append("\" dy=\"12\">")
                        .append(label[1]).append("</tspan>");
            }
            svg.append("</text>");
        }
        svg.append("</g>");
    }

    private void legend(List<AnomalyFlag> flags) {
        double level = flags.stream().filter(f -> f.getLower() != null).mapToDouble(
                AnomalyFlag::getLevel).findFirst().orElse(Double.NaN);
        String band = Double.isNaN(level) ? "forecast interval"
                : Html.num(level * 100) + "% interval";
        double cx = LEFT;
        double cy = 13;
        svg.append("<g class=\"legend\">");
        cx = item(cx, cy, "<line class=\"actual\" x1=\"0\" x2=\"18\" y1=\"0\" y2=\"0\"/>",
                "actual");
        cx = item(cx, cy, "<line class=\"expected\" x1=\"0\" x2=\"18\" y1=\"0\" y2=\"0\"/>",
                "expected (median)");
        cx = item(cx, cy, "<rect class=\"band\" x=\"0\" y=\"-5\" width=\"18\" height=\"10\"/>",
                band);
        cx = item(cx, cy, "<circle class=\"lg-flag\" cx=\"9\" cy=\"0\" r=\"3\"/>", "flagged");
        cx = item(cx, cy, "<rect class=\"lg-ep\" x=\"0\" y=\"-6\" width=\"18\" height=\"12\"/>",
                "alert episode");
        if (!series.labelledWindows().isEmpty()) {
            cx = item(cx, cy,
                    "<rect class=\"lg-win\" x=\"0\" y=\"-6\" width=\"18\" height=\"12\"/>",
                    "labelled window");
        }
        if (!series.labelledTimestamps().isEmpty()) {
            item(cx, cy, "<line class=\"lts\" x1=\"9\" x2=\"9\" y1=\"-6\" y2=\"6\"/>",
                    "labelled point");
        }
        svg.append("<text class=\"utc\" x=\"").append(LEFT + PLOT_W).append("\" y=\"")
                .append(px(cy + 4)).append("\">times in UTC</text>");
        svg.append("</g>");
    }

    private double item(double x, double y, String swatch, String label) {
        svg.append("<g transform=\"translate(").append(px(x)).append(',').append(px(y))
                .append(")\">").append(swatch).append("<text x=\"24\" y=\"4\">")
                .append(Html.esc(label)).append("</text></g>");
        return x + 24 + label.length() * 6.3 + 18;
    }
}
