package io.patchcast.cli.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Escaping and number/time formatting shared by the page and the charts. */
final class Html {
    private static final DateTimeFormatter UTC_SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private Html() {}

    /** Escapes text for element content and for double- or single-quoted attribute values. */
    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code 2024-05-01 10:00:00 UTC}. */
    static String time(long millis) {
        return UTC_SECONDS.format(Instant.ofEpochMilli(millis)) + " UTC";
    }

    /** Six significant digits, no exponent, no trailing zeros: {@code 12.5}, {@code 1234567}. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        if (v == 0) {
            return "0";
        }
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** Thousands separated count: {@code 12 345}. */
    static String count(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n).replace(',', '\u2009');
    }

    /** {@code 1.25%} of a part in a whole; {@code –} when the whole is zero. */
    static String pct(long part, long whole) {
        if (whole == 0) {
            return "\u2013";
        }
        double p = 100.0 * part / whole;
        return String.format(java.util.Locale.ROOT, p < 1 ? "%.2f%%" : "%.1f%%", p);
    }

    /** {@code 1h 05m}, {@code 12m}, {@code 40s}. */
    static String duration(long millis) {
        long s = millis / 1000;
        if (s < 60) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 60) {
            return m + "m" + (s % 60 == 0 ? "" : String.format(" %02ds", s % 60));
        }
        long h = m / 60;
        if (h < 48) {
            return h + "h " + String.format("%02dm", m % 60);
        }
        return h / 24 + "d " + h % 24 + "h";
    }
}
