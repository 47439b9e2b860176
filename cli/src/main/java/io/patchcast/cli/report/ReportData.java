package io.patchcast.cli.report;

import java.util.List;
import java.util.Objects;

/**
 * Everything {@link HtmlReport} renders: a title (e.g. {@code moirai-moe@1.1}), a subtitle (the
 * options of the run), the run totals and one entry per charted series, in display order.
 */
public record ReportData(
        String title, String subtitle, RunTotals totals, List<SeriesData> series) {
    public ReportData {
        Objects.requireNonNull(title, "title");
        subtitle = subtitle == null ? "" : subtitle;
        Objects.requireNonNull(totals, "totals");
        series = List.copyOf(series);
    }
}
