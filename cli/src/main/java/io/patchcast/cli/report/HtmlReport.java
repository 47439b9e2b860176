package io.patchcast.cli.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One self-contained HTML page for a demo run: totals, a table of series, dead letters by reason
 * and one inline-SVG chart per series. CSS is inline and there is no script, font, image or link
 * outside the file, so it opens offline and can be attached to a ticket as is.
 */
public final class HtmlReport {
    /** Inlined into every page (no link: the file must open offline). */
    private static final String CSS = loadCss();

    private HtmlReport() {}

    private static String loadCss() {
        try (InputStream in = HtmlReport.class.getResourceAsStream("report.css")) {
            if (in == null) {
                throw new IllegalStateException(
                        "report.css missing beside HtmlReport on the classpath: broken cli jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read report.css from the cli jar", e);
        }
    }

    /** Renders the report and writes it as UTF-8, creating missing parent directories. */
    public static void write(ReportData data, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(data), StandardCharsets.UTF_8);
    }

    public static String render(ReportData data) {
        List<SeriesStats> stats = new ArrayList<>();
        for (SeriesData s : data.series()) {
            stats.add(SeriesStats.of(s));
        }
        StringBuilder h = new StringBuilder(256 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<title>").append(Html.esc(data.title())).append("</title><style>")
                .append(CSS).append("</style></head>\n<body><main id=\"top\">\n");
        header(h, data);
        seriesTable(h, data, stats);
        deadLetters(h, data.totals());
        for (int i = 0; i < data.series().size(); i++) {
            seriesSection(h, i, data.series().get(i), stats.get(i));
        }
        h.append("<footer>patchcast demo report \u00b7 times in UTC \u00b7 ")
                .append("hover a dot or shaded span for details</footer>\n</main></body></html>\n");
        return h.toString();
    }

    private static void header(StringBuilder h, ReportData data) {
        RunTotals t = data.totals();
        h.append("<h1>").append(Html.esc(data.title())).append("</h1>\n");
        if (!data.subtitle().isEmpty()) {
            h.append("<p class=\"sub\">").append(Html.esc(data.subtitle())).append("</p>\n");
        }
        h.append("<div class=\"cards\">");
        card(h, Html.count(t.points()), "points");
        card(h, Html.count(t.forecasts()), "forecasts");
        card(h, Html.count(t.flaggedPoints()),
                "flagged points (" + Html.pct(t.flaggedPoints(), t.points()) + ")");
        card(h, Html.count(t.alerts()), "alerts");
        card(h, Html.count(t.deadLetters()), "dead letters");
        h.append("</div>\n");
    }

    private static void card(StringBuilder h, String value, String label) {
        h.append("<div class=\"card\"><b>").append(value).append("</b><span>")
                .append(Html.esc(label)).append("</span></div>");
    }

    private static void seriesTable(StringBuilder h, ReportData data, List<SeriesStats> stats) {
        h.append("<h2>Series</h2>\n<table class=\"index\"><tr><th class=\"n\">#</th>")
                .append("<th>series</th><th class=\"n\">points</th><th class=\"n\">flagged</th>")
                .append("<th class=\"n\">alerts</th><th class=\"n\">labelled windows hit</th>")
                .append("<th class=\"n\">max score</th><th>model</th></tr>\n");
        for (int i = 0; i < stats.size(); i++) {
            SeriesStats s = stats.get(i);
            h.append("<tr><td class=\"n\">").append(i + 1)
                    .append("</td><td class=\"k\"><a href=\"#")
                    .append(anchor(i)).append("\">").append(Html.esc(data.series().get(i).key()))
                    .append("</a></td><td class=\"n\">").append(Html.count(s.points()))
                    .append("</td><td class=\"n\">").append(Html.count(s.flagged()))
                    .append("</td><td class=\"n\">").append(s.episodes().size())
                    .append("</td><td class=\"n\">").append(windowsCell(s))
                    .append("</td><td class=\"n\">").append(Html.num(round3(s.maxScore())))
                    .append("</td><td>").append(Html.esc(String.join(", ", s.models())))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static String windowsCell(SeriesStats s) {
        if (s.windows() == 0) {
            return "<span class=\"none\">\u2013</span>";
        }
        String cls = s.windowsHit() == s.windows() ? "ok" : "miss";
        return "<span class=\"" + cls + "\">" + s.windowsHit() + " / " + s.windows() + "</span>";
    }

    private static void deadLetters(StringBuilder h, RunTotals t) {
        h.append("<h2>Dead letters</h2>\n");
        if (t.deadLetters() == 0) {
            h.append("<p class=\"none\">None: every input record was used.</p>\n");
            return;
        }
        h.append("<table class=\"dead\"><tr><th>reason</th><th class=\"n\">records</th>")
                .append("<th class=\"n\">share</th></tr>\n");
        List<Map.Entry<String, Long>> rows = new ArrayList<>(t.deadLettersByReason().entrySet());
        rows.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
        for (Map.Entry<String, Long> e : rows) {
            h.append("<tr><td class=\"k\">").append(Html.esc(e.getKey()))
                    .append("</td><td class=\"n\">").append(Html.count(e.getValue()))
                    .append("</td><td class=\"n\">").append(Html.pct(e.getValue(), t.deadLetters()))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void seriesSection(StringBuilder h, int i, SeriesData series, SeriesStats s) {
        h.append("<section class=\"series\" id=\"").append(anchor(i)).append("\">")
                .append("<h3><a class=\"top\" href=\"#top\">\u2191 top</a>")
                .append(Html.esc(series.key())).append("</h3>\n<p class=\"stats\">")
                .append(statsLine(s)).append("</p>\n")
                .append(SeriesChart.render(series, s)).append('\n');
        episodeTable(h, s);
        h.append("</section>\n");
    }

    private static String statsLine(SeriesStats s) {
        StringBuilder b = new StringBuilder();
        b.append(Html.count(s.points())).append(" points");
        if (s.warmup() > 0) {
            b.append(" (").append(Html.count(s.warmup())).append(" warm-up)");
        }
        b.append(" \u00b7 ").append(Html.count(s.flagged())).append(" flagged (")
                .append(Html.pct(s.flagged(), s.points() - s.warmup())).append(")")
                .append(" \u00b7 ").append(s.episodes().size())
                .append(s.episodes().size() == 1 ? " alert" : " alerts");
        if (s.windows() > 0) {
            int missed = s.windows() - s.windowsHit();
            b.append(" \u00b7 labelled windows: <span class=\"ok\">").append(s.windowsHit())
                    .append(" hit</span>, <span class=\"").append(missed > 0 ? "miss" : "ok")
                    .append("\">").append(missed).append(" missed</span>")
                    .append(" \u00b7 ").append(s.flagsOutsideWindows())
                    .append(" flags outside windows");
        }
        if (s.timestamps() > 0) {
            b.append(" \u00b7 labelled points caught: ").append(s.timestampsHit()).append(" / ")
                    .append(s.timestamps());
        }
        if (!s.models().isEmpty()) {
            b.append(" \u00b7 ").append(Html.esc(String.join(", ", s.models())));
        }
        return b.toString();
    }

    private static void episodeTable(StringBuilder h, SeriesStats s) {
        if (s.episodes().isEmpty()) {
            return;
        }
        h.append("<table class=\"episodes\"><tr><th>alert from</th><th>to</th>")
                .append("<th class=\"n\">duration</th><th class=\"n\">flagged points</th>")
                .append("<th class=\"n\">peak score</th></tr>\n");
        for (Episode e : s.episodes()) {
            h.append("<tr><td>").append(Html.time(e.start())).append("</td><td>")
                    .append(e.open() ? "<span class=\"miss\">still firing</span>"
                            : Html.time(e.end()))
                    .append("</td><td class=\"n\">").append(Html.duration(e.end() - e.start()))
                    .append(e.open() ? "+" : "").append("</td><td class=\"n\">")
                    .append(e.points()).append("</td><td class=\"n\">")
                    .append(Html.num(round3(e.peakScore()))).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static String anchor(int i) {
        return "series-" + (i + 1);
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
