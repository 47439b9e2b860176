package io.patchcast.cli.report;

/**
 * Turns long series into light SVG paths: per pixel column only the lowest and highest point are
 * kept (in time order), which preserves every spike a reader could see at that width.
 * Coordinates are already in pixels; a NaN value or {@code breakBefore[i]} starts a new sub-path.
 */
final class Downsampler {
    private Downsampler() {}

    /** Path data {@code M x y L x y ...} of the line through the points. */
    static String line(double[] x, double[] y, boolean[] breakBefore) {
        StringBuilder d = new StringBuilder();
        boolean newPath = true;
        int col = 0;
        int iMin = -1;
        int iMax = -1;
        for (int i = 0; i < x.length; i++) {
            boolean gap = Double.isNaN(y[i]) || breakBefore[i];
            int c = (int) Math.floor(x[i]);
            if (iMin >= 0 && (gap || c != col)) {
                newPath = emit(d, x, y, iMin, iMax, newPath);
                iMin = -1;
            }
            if (gap) {
                newPath = true;
            }
            if (Double.isNaN(y[i])) {
                continue;
            }
            if (iMin < 0) {
                col = c;
                iMin = i;
                iMax = i;
            } else if (y[i] < y[iMin]) {
                iMin = i;
            } else if (y[i] > y[iMax]) {
                iMax = i;
            }
        }
        if (iMin >= 0) {
            emit(d, x, y, iMin, iMax, newPath);
        }
        return d.toString().trim();
    }

    private static boolean emit(
            StringBuilder d, double[] x, double[] y, int iMin, int iMax, boolean newPath) {
        int a = Math.min(iMin, iMax);
        int b = Math.max(iMin, iMax);
        d.append(newPath ? " M" : " L");
        point(d, x[a], y[a]);
        if (b != a) {
            d.append(" L");
            point(d, x[b], y[b]);
        }
        return false;
    }

    /**
     * Closed polygons, one per run of points with both bounds, spanning {@code top..bottom} in
     * pixels (top is the upper bound, drawn higher, so the smaller pixel value). Per pixel column
     * the widest extent is kept.
     */
    static String band(double[] x, double[] top, double[] bottom, boolean[] breakBefore) {
        StringBuilder d = new StringBuilder();
        int n = x.length;
        double[] cx = new double[n];
        double[] ct = new double[n];
        double[] cb = new double[n];
        int cols = 0;
        int col = 0;
        for (int i = 0; i <= n; i++) {
            boolean end =
                    i == n
                            || Double.isNaN(top[i])
                            || Double.isNaN(bottom[i])
                            || (breakBefore[i] && cols > 0);
            if (end) {
                polygon(d, cx, ct, cb, cols);
                cols = 0;
                if (i == n || Double.isNaN(top[i]) || Double.isNaN(bottom[i])) {
                    continue;
                }
            }
            int c = (int) Math.floor(x[i]);
            if (cols > 0 && c == col) {
                ct[cols - 1] = Math.min(ct[cols - 1], top[i]);
                cb[cols - 1] = Math.max(cb[cols - 1], bottom[i]);
                cx[cols - 1] = x[i]; // the column's last point: the run then ends where data ends
            } else {
                col = c;
                cx[cols] = x[i];
                ct[cols] = top[i];
                cb[cols] = bottom[i];
                cols++;
            }
        }
        return d.toString().trim();
    }

    private static void polygon(StringBuilder d, double[] x, double[] top, double[] bottom, int n) {
        if (n < 2) {
            return; // a lone point has no width to shade
        }
        for (int i = 0; i < n; i++) {
            d.append(i == 0 ? " M" : " L");
            point(d, x[i], top[i]);
        }
        for (int i = n - 1; i >= 0; i--) {
            d.append(" L");
            point(d, x[i], bottom[i]);
        }
        d.append(" Z");
    }

    static void point(StringBuilder d, double x, double y) {
        d.append(px(x)).append(',').append(px(y));
    }

    /** One decimal, no exponent, no locale. */
    static String px(double v) {
        long r = Math.round(v * 10);
        StringBuilder s = new StringBuilder();
        if (r < 0) {
            s.append('-');
            r = -r;
        }
        s.append(r / 10);
        if (r % 10 != 0) {
            s.append('.').append(r % 10);
        }
        return s.toString();
    }
}
