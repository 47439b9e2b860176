package io.patchcast.job.source;

import java.util.Map;
import java.util.TreeMap;

/** Builds the identity of a series: metric name plus sorted labels, Prometheus style. */
public final class SeriesKeys {

    private SeriesKeys() {}

    /** {@code name{a="x",b="y"}}; just {@code name} without labels. Quotes and backslashes escaped. */
    public static String of(String name, Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name).append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(e.getKey()).append("=\"");
            escape(sb, e.getValue());
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    private static void escape(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            if (c == '\n') {
                sb.append("\\n");
            } else {
                sb.append(c);
            }
        }
    }
}
