package io.patchcast.models.moiraimoe;

import com.fasterxml.jackson.databind.JsonNode;

import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.TensorInfo;
import io.patchcast.models.moiraimoe.MoiraiMoEVerifier.TensorCheck;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Comparisons of port tensors with one fixture file, collected as {@link TensorCheck}s: |a - e| <=
 * atol + rtol |e|, non-finite values must match exactly, expert ids exactly unless the gate margin
 * allows a flip.
 */
class FixtureChecks {

    final SafetensorsReader fx;
    final List<TensorCheck> checks;

    FixtureChecks(SafetensorsReader fx, List<TensorCheck> checks) {
        this.fx = fx;
        this.checks = checks;
    }

    void experts(String name, double[] actual, double[] exp, double[] margin) {
        long flips = 0;
        long bad = 0;
        int worst = -1;
        for (int t = 0; t < margin.length; t++) {
            boolean same = actual[2 * t] == exp[2 * t] && actual[2 * t + 1] == exp[2 * t + 1];
            if (!same) {
                if (margin[t] < MoiraiMoEVerifier.MARGIN_FLIP) {
                    flips++;
                } else {
                    bad++;
                    worst = worst < 0 ? t : worst;
                }
            }
        }
        checks.add(
                new TensorCheck(
                        name,
                        bad == 0,
                        bad == 0 ? 0 : 1,
                        worst < 0 ? "-" : "token " + worst,
                        worst < 0 ? 0 : exp[2 * worst],
                        worst < 0 ? 0 : actual[2 * worst],
                        0,
                        margin.length,
                        bad,
                        flips + " flips on near-ties (margin < 1e-4)"));
    }

    void exact(String name, double[] actual) throws IOException {
        compare(name, actual, read(name), 0, 0, "exact");
    }

    void fail(String name, String why) {
        checks.add(
                new TensorCheck(
                        name, false, Double.NaN, "-", Double.NaN, Double.NaN, 0, 0, 1, why));
    }

    double[] read(String name) throws IOException {
        TensorInfo info = fx.info(name);
        if (info.dtype().isFloating()) {
            return fx.doubles(name);
        }
        return toDouble(fx.longs(name));
    }

    void compare(String name, double[] actual, double[] exp, double atol, double rtol, String note)
            throws IOException {
        long[] shape = fx.info(name).shape();
        if (actual.length != exp.length) {
            fail(
                    name,
                    String.format(
                            "port produced %d values, fixture %s has %d",
                            actual.length, Arrays.toString(shape), exp.length));
            return;
        }
        double worst = 0;
        double worstRatio = -1;
        int wi = 0;
        int wa = 0; // where the largest absolute difference is
        long bad = 0;
        for (int i = 0; i < exp.length; i++) {
            double e = exp[i];
            double a = actual[i];
            double err;
            boolean ok;
            if (!Double.isFinite(e) || !Double.isFinite(a)) {
                ok = Double.compare(e, a) == 0 || (Double.isNaN(e) && Double.isNaN(a));
                err = ok ? 0 : Double.POSITIVE_INFINITY;
            } else {
                err = Math.abs(a - e);
                ok = err <= atol + rtol * Math.abs(e);
            }
            double tol = atol + rtol * (Double.isFinite(e) ? Math.abs(e) : 0);
            double ratio = tol > 0 ? err / tol : (err > 0 ? Double.POSITIVE_INFINITY : 0);
            if (!ok) {
                bad++;
            }
            if (ratio > worstRatio || (ratio == worstRatio && err > worst)) {
                worstRatio = ratio;
                wi = i;
            }
            if (Double.isFinite(err)) {
                if (err > worst) {
                    worst = err;
                    wa = i;
                }
            } else {
                worst = Double.POSITIVE_INFINITY;
            }
        }
        checks.add(
                new TensorCheck(
                        name,
                        bad == 0,
                        worst,
                        index(shape, wi),
                        exp[wi],
                        actual[wi],
                        atol + rtol * Math.abs(exp[wi]),
                        exp.length,
                        bad,
                        note,
                        Double.isFinite(worst) ? exp[wa] : Double.NaN));
    }

    static String index(long[] shape, int flat) {
        long[] idx = new long[shape.length];
        long r = flat;
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = shape[i] == 0 ? 0 : r % shape[i];
            r = shape[i] == 0 ? r : r / shape[i];
        }
        return Arrays.toString(idx);
    }

    static double[] levels(JsonNode arr) {
        double[] q = new double[arr.size()];
        for (int i = 0; i < q.length; i++) {
            q[i] = arr.get(i).asDouble();
        }
        return q;
    }

    static float[][] timeMajor(float[] flat, long[] shape) {
        int t = (int) shape[0];
        int d = shape.length == 1 ? 1 : (int) shape[1];
        float[][] out = new float[t][d];
        for (int i = 0; i < t; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    static double[] toDouble(float[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i];
        }
        return r;
    }

    static double[] toDouble(long[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i];
        }
        return r;
    }

    static double[] toDouble(boolean[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i] ? 1 : 0;
        }
        return r;
    }
}
