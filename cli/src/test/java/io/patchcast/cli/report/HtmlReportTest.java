package io.patchcast.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.schema.AlertState;
import io.patchcast.schema.AlertTransition;
import io.patchcast.schema.AnomalyFlag;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    private static final long T0 = Instant.parse("2024-05-01T00:00:00Z").toEpochMilli();
    private static final long STEP = 60_000;
    private static final int WARMUP = 64;
    private static final double HALF_WIDTH = 4;
    private static final String CPU_KEY = "cpu{host=\"a<b>&c\"}";
    private static final String MEM_KEY = "mem{host=\"b\",dc='eu'}";
    private static final String SVG_NS = "xmlns=\"http://www.w3.org/2000/svg\"";

    private static ReportData data;
    private static String html;

    @BeforeAll
    static void renderSyntheticRun() {
        Random rnd = new Random(7);
        // cpu: labelled window 800..830, a burst 805..820 inside it, spikes at 300 and 1100
        List<AnomalyFlag> cpu = new ArrayList<>();
        for (int i = 0; i < 1440; i++) {
            double expected = 50 + 10 * Math.sin(2 * Math.PI * i / 360);
            double value = expected + 0.8 * rnd.nextGaussian();
            if (i >= 805 && i <= 820) value += 15;
            if (i == 300 || i == 1100) value += 12;
            cpu.add(flag(CPU_KEY, i, value, expected));
        }
        List<AlertTransition> cpuAlerts =
                List.of(
                        transition(CPU_KEY, AlertState.FIRING, 807, 805, null, 3, false),
                        transition(CPU_KEY, AlertState.RESOLVED, 825, 805, 820, 16, false));
        // mem: ~5000 points; an episode re-opened within the cooldown (merged: one episode), and
        // a level shift at 4700 still firing when the run ends
        List<AnomalyFlag> mem = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            double expected = 2e9 + 2e8 * Math.sin(2 * Math.PI * i / 1440);
            double value = expected + 2e7 * rnd.nextGaussian();
            if ((i >= 1998 && i <= 2005) || (i >= 2015 && i <= 2025)) value += 9e8;
            if (i >= 4700) value += 1.2e9;
            mem.add(flag(MEM_KEY, i, value, expected, 2.5e8));
        }
        List<AlertTransition> memAlerts =
                List.of(
                        transition(MEM_KEY, AlertState.FIRING, 2000, 1998, null, 3, false),
                        transition(MEM_KEY, AlertState.RESOLVED, 2010, 1998, 2005, 8, false),
                        transition(MEM_KEY, AlertState.FIRING, 2017, 1998, null, 11, true),
                        transition(MEM_KEY, AlertState.RESOLVED, 2030, 1998, 2025, 19, false),
                        transition(MEM_KEY, AlertState.FIRING, 4702, 4700, null, 3, false));
        Map<String, Long> dead = new LinkedHashMap<>();
        dead.put("LATE", 12L);
        dead.put("NON_FINITE", 3L);
        dead.put("MISSING_FIELD", 40L);
        List<SeriesData> series =
                List.of(
                        new SeriesData(
                                CPU_KEY,
                                cpu,
                                cpuAlerts,
                                List.of(new TimeWindow(at(800), at(830))),
                                List.of(at(1100))),
                        SeriesData.of(MEM_KEY, mem, memAlerts));
        long flagged = series.stream().mapToLong(HtmlReportTest::flaggedCount).sum();
        data =
                new ReportData(
                        "patchcast demo \u00b7 moirai-moe@1.1",
                        "context=512 patch=32 level=0.99 alert=3-of-5 cooldown=PT10M",
                        new RunTotals(6440, 6312, flagged, 3, dead),
                        series);
        html = HtmlReport.render(data);
    }

    @Test
    void drawsOneSvgPerSeries() {
        assertThat(count(html, "<svg")).isEqualTo(2);
        assertThat(count(html, "</svg>")).isEqualTo(2);
    }

    @Test
    void drawsOneRedDotPerFlaggedPoint() {
        long flagged = data.series().stream().mapToLong(HtmlReportTest::flaggedCount).sum();
        assertThat(flagged).isGreaterThan(300); // the mem level shift: dense, yet every dot drawn
        assertThat(count(html, "<circle class=\"flag\"")).isEqualTo(flagged);
    }

    @Test
    void drawsOneRectanglePerAlertEpisode() {
        // cpu: 1; mem: the merged re-fire continues the first episode, plus the open one
        assertThat(count(html, "<rect class=\"ep\"")).isEqualTo(3);
        assertThat(html).contains("still firing");
    }

    @Test
    void countsLabelledWindowHitByFlagsInside() {
        assertThat(html).contains("labelled windows: <span class=\"ok\">1 hit</span>");
        assertThat(html).contains("<span class=\"ok\">0 missed</span>");
        assertThat(html).contains("2 flags outside windows");
        assertThat(html).contains("labelled points caught: 1 / 1");
        assertThat(count(html, "<rect class=\"win\"")).isEqualTo(1);
        assertThat(count(html, "<line class=\"lts\" x1=")).isEqualTo(2); // chart + legend
    }

    @Test
    void referencesNothingOutsideTheFile() {
        String withoutNs = html.replace(SVG_NS, "");
        assertThat(withoutNs).doesNotContain("http://", "https://", "<script", "url(", "@import");
        assertThat(withoutNs).doesNotContainPattern("\\ssrc=");
        assertThat(withoutNs).doesNotContainPattern("href=\"(?!#)");
    }

    @Test
    void escapesSeriesKeys() {
        assertThat(html).doesNotContain(CPU_KEY).doesNotContain(MEM_KEY);
        assertThat(html).contains("cpu{host=&quot;a&lt;b&gt;&amp;c&quot;}");
        assertThat(html).contains("mem{host=&quot;b&quot;,dc=&#39;eu&#39;}");
    }

    @Test
    void leavesBandGapsForWarmup() {
        Matcher band = Pattern.compile("<path class=\"band\" d=\"([^\"]*)\"").matcher(html);
        assertThat(band.find()).isTrue();
        double firstX = Double.parseDouble(band.group(1).substring(1).split(",")[0]);
        double warmupEndX = 62 + (double) WARMUP / 1439 * SeriesChart.PLOT_W;
        assertThat(firstX).isCloseTo(warmupEndX, org.assertj.core.data.Offset.offset(1.0));
    }

    @Test
    void downsamplesLongSeriesToTwoPointsPerPixelColumn() {
        Matcher actual = Pattern.compile("<path class=\"actual\" d=\"([^\"]*)\"").matcher(html);
        assertThat(actual.find()).isTrue();
        assertThat(actual.find()).isTrue(); // the 5000-point mem series
        int vertices = count(actual.group(1), "M") + count(actual.group(1), "L");
        assertThat(vertices).isLessThanOrEqualTo(2 * (SeriesChart.PLOT_W + 1));
        assertThat(html.length()).isLessThan(600_000);
    }

    @Test
    void listsDeadLettersByReasonMostFirst() {
        assertThat(html).containsSubsequence("MISSING_FIELD", "LATE", "NON_FINITE");
        assertThat(html).contains("<b>55</b><span>dead letters</span>");
    }

    @Test
    void writesTheRenderedPage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/report.html");
        HtmlReport.write(data, file);
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(html);
        // a copy to look at: target/report-sample/report.html
        HtmlReport.write(data, Path.of("target", "report-sample", "report.html"));
    }

    private static AnomalyFlag flag(String key, int i, double value, double expected) {
        return flag(key, i, value, expected, HALF_WIDTH);
    }

    private static AnomalyFlag flag(
            String key, int i, double value, double expected, double halfWidth) {
        boolean warmup = i < WARMUP;
        boolean flagged = !warmup && Math.abs(value - expected) > halfWidth;
        AnomalyFlag.Builder b =
                AnomalyFlag.newBuilder()
                        .setSeriesKey(key)
                        .setTimestamp(Instant.ofEpochMilli(at(i)))
                        .setValue(value)
                        .setLevel(0.99)
                        .setScore(warmup ? 0 : flagged ? 0.999 : 0.5)
                        .setFlagged(flagged)
                        .setWarmup(warmup)
                        .setModel(warmup ? "none" : "moirai-moe")
                        .setModelVersion(warmup ? "" : "1.1");
        if (!warmup) {
            b.setExpected(expected).setLower(expected - halfWidth).setUpper(expected + halfWidth);
        }
        return b.build();
    }

    private static AlertTransition transition(
            String key,
            AlertState state,
            int i,
            int start,
            Integer end,
            int points,
            boolean merged) {
        return AlertTransition.newBuilder()
                .setSeriesKey(key)
                .setState(state)
                .setTimestamp(Instant.ofEpochMilli(at(i)))
                .setEpisodeStart(Instant.ofEpochMilli(at(start)))
                .setEpisodeEnd(end == null ? null : Instant.ofEpochMilli(at(end)))
                .setPeakScore(0.999)
                .setPoints(points)
                .setMerged(merged)
                .build();
    }

    private static long at(int i) {
        return T0 + i * STEP;
    }

    private static long flaggedCount(SeriesData s) {
        return s.flags().stream().filter(AnomalyFlag::getFlagged).count();
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
