package io.patchcast.cli.report;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Value-axis ticks at 1, 2, 2.5 or 5 times a power of ten; {@code [min, max]} covers the data and
 * is the axis domain.
 */
record NiceTicks(double min, double max, double step) {

    static NiceTicks of(double lo, double hi, int target) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            lo = 0;
            hi = 1;
        }
        if (!(hi > lo)) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double raw = (hi - lo) / Math.max(1, target);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double n = raw / mag;
        double nice = n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10;
        double step = nice * mag;
        return new NiceTicks(Math.floor(lo / step) * step, Math.ceil(hi / step) * step, step);
    }

    double[] values() {
        int n = (int) Math.round((max - min) / step);
        double[] v = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            v[i] = min + i * step; // multiply, not accumulate: no drift in the labels
        }
        return v;
    }

    /** Label with a k/M/G suffix for large axes and just enough decimals to tell ticks apart. */
    String label(double v) {
        double extent = Math.max(Math.abs(min), Math.abs(max));
        double scale = 1;
        String suffix = "";
        if (extent >= 1e9) {
            scale = 1e9;
            suffix = "G";
        } else if (extent >= 1e6) {
            scale = 1e6;
            suffix = "M";
        } else if (extent >= 1e4) {
            scale = 1e3;
            suffix = "k";
        }
        int decimals = Math.max(0, new BigDecimal(Double.toString(step / scale))
                .stripTrailingZeros().scale());
        double shown = Math.abs(v) < step * 1e-9 ? 0 : v / scale;
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 6) + "f", shown) + suffix;
    }
}
