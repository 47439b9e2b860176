package io.patchcast.models.moiraimoe;

import ai.djl.Device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.patchcast.models.distribution.Mixture;
import io.patchcast.models.distribution.SampleQuantiles;
import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Checks the port against parity fixtures written by moirai-moe-fixtures.py (layout of
 * fixtures/moirai-moe/README.txt: {@code model/}, {@code case_*.json}, {@code case_*.safetensors}).
 * Per case it reports, for every tensor, the worst error and PASS/FAIL:
 *
 * <ul>
 *   <li>preprocessing and packing: exact;
 *   <li>every {@code callK.*} tensor with the recorded inputs: |a - e| <= ATOL + RTOL |e| (README:
 *       atol 1e-4 / rtol 1e-4 for the tiny config), scaler rtol 1e-6 (float64 inside); expert ids
 *       exact except where the recorded gate margin is below 1e-4 (spec §11);
 *   <li>AR inputs {@code callK.in.*} built by our loop from the recorded draws, and {@code
 *       forecast.replay.samples}: exact;
 *   <li>statistical: {@code mc.quantiles} against our exact mixture CDF, our sampler against the
 *       same CDF, our sample paths against {@code forecast.stat.samples} (two-sample KS), each with
 *       the tolerance stated at the check.
 * </ul>
 */
public final class MoiraiMoEVerifier {

    public static final double ATOL = 1e-4;
    public static final double RTOL = 1e-4;
    public static final double SCALER_RTOL = 1e-6;

    /** README: a gate margin below ~1e-4 may legitimately flip the routing. */
    public static final double MARGIN_FLIP = 1e-4;

    /** Draws for the sampler check and paths for the KS check. */
    static final int OWN_DRAWS = 20_000;

    static final int OWN_PATHS = 1000;

    /** One compared tensor: worst error and where. */
    public record TensorCheck(
            String tensor,
            boolean pass,
            double worstAbs,
            String worstAt,
            double expected,
            double actual,
            double tolerance,
            long count,
            long failures,
            String note) {

        @Override
        public String toString() {
            if (tensor.startsWith("stat:")) {
                return String.format(
                        "%s %s: worst %.3g (limit %.3g) at %s [%s]",
                        pass ? "PASS" : "FAIL", tensor, worstAbs, tolerance, worstAt, note);
            }
            return String.format(
                    "%s %s: max |diff| %.3g; closest to its tolerance at %s:"
                            + " expected %.8g got %.8g, |diff| %.3g vs tol %.3g; %d/%d over%s",
                    pass ? "PASS" : "FAIL",
                    tensor,
                    worstAbs,
                    worstAt,
                    expected,
                    actual,
                    Math.abs(expected - actual),
                    tolerance,
                    failures,
                    count,
                    note.isEmpty() ? "" : " [" + note + "]");
        }
    }

    /** All checks of one case. */
    public record CaseReport(String name, List<TensorCheck> checks) {
        public boolean pass() {
            return checks.stream().allMatch(TensorCheck::pass);
        }

        public double worstDeterministicAbs() {
            return worstDeterministic().worstAbs();
        }

        /** The deterministic check with the largest finite absolute error. */
        public TensorCheck worstDeterministic() {
            return checks.stream()
                    .filter(c -> !c.tensor().startsWith("stat:"))
                    .filter(c -> Double.isFinite(c.worstAbs()))
                    .max(java.util.Comparator.comparingDouble(TensorCheck::worstAbs))
                    .orElseThrow();
        }
    }

    /** The whole verification. */
    public record Report(List<CaseReport> cases) {
        public boolean pass() {
            return !cases.isEmpty() && cases.stream().allMatch(CaseReport::pass);
        }

        public List<TensorCheck> failures() {
            return cases.stream().flatMap(c -> c.checks().stream()).filter(c -> !c.pass()).toList();
        }

        public String summary() {
            StringBuilder sb = new StringBuilder();
            for (CaseReport c : cases) {
                sb.append(
                        String.format(
                                "%s %s: %d checks, worst deterministic: %s%n",
                                c.pass() ? "PASS" : "FAIL",
                                c.name(),
                                c.checks().size(),
                                c.worstDeterministic()));
                for (TensorCheck t : c.checks()) {
                    if (!t.pass()
                            || t.tensor().startsWith("stat:")
                            || (t.tensor().endsWith("gate.experts")
                                    && !t.note().startsWith("0 "))) {
                        sb.append("  ").append(t).append('\n');
                    }
                }
            }
            sb.append(pass() ? "ALL PASS" : "FAILURES").append('\n');
            return sb.toString();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private MoiraiMoEVerifier() {}

    /** Verifies every case in {@code fixtures} with the model in {@code fixtures/model}. */
    public static Report verify(Path fixtures, Device device) throws IOException {
        List<Path> cases;
        try (Stream<Path> s = Files.list(fixtures)) {
            cases =
                    s.filter(p -> p.getFileName().toString().matches("case_.*\\.json"))
                            .sorted()
                            .toList();
        }
        if (cases.isEmpty()) {
            throw new IOException(fixtures + ": no case_*.json fixtures");
        }
        List<CaseReport> reports = new ArrayList<>();
        try (MoiraiMoEModule module = MoiraiMoEModule.load(fixtures.resolve("model"), device)) {
            for (Path json : cases) {
                reports.add(verifyCase(module, json));
            }
        }
        return new Report(reports);
    }

    static CaseReport verifyCase(MoiraiMoEModule module, Path jsonFile) throws IOException {
        JsonNode meta = JSON.readTree(Files.readAllBytes(jsonFile));
        String name = meta.get("name").asText();
        Path st =
                jsonFile.resolveSibling(
                        jsonFile.getFileName().toString().replace(".json", ".safetensors"));
        List<TensorCheck> checks = new ArrayList<>();
        try (SafetensorsReader fx = SafetensorsReader.open(st)) {
            new CaseRun(module, meta, fx, checks).run();
        }
        return new CaseReport(name, checks);
    }

    /** The checks of one case. */
    private static final class CaseRun {
        final MoiraiMoEModule module;
        final JsonNode meta;
        final SafetensorsReader fx;
        final List<TensorCheck> checks;
        final int b;
        final int c;
        final int h;
        final int d;

        CaseRun(
                MoiraiMoEModule module,
                JsonNode meta,
                SafetensorsReader fx,
                List<TensorCheck> checks) {
            this.module = module;
            this.meta = meta;
            this.fx = fx;
            this.checks = checks;
            this.b = meta.get("batch_size").asInt();
            this.c = meta.get("context_length").asInt();
            this.h = meta.get("prediction_length").asInt();
            this.d = meta.get("target_dim").asInt();
        }

        void run() throws IOException {
            int sReplay = meta.get("replay_num_samples").asInt();
            MoiraiMoEForecast fc = new MoiraiMoEForecast(module, c, h, d, sReplay);
            // preprocessing (spec §5.1)
            List<float[][]> series = new ArrayList<>();
            for (int i = 0; i < b; i++) {
                series.add(
                        timeMajor(
                                fx.floats("input.series." + i),
                                fx.info("input.series." + i).shape()));
            }
            MoiraiMoEForecast.PastInputs past = fc.preprocess(series);
            exact("input.past_target", toDouble(past.pastTarget()));
            exact("input.past_observed_target", toDouble(past.pastObserved()));
            exact("input.past_is_pad", toDouble(past.pastIsPad()));
            PackedBatch packed = fc.convert(past);
            // AR replay with the recorded draws injected (spec §9)
            float[] replay = fx.floats("forecast.replay.samples"); // (B, S, H[, D])
            Map<Integer, Map<String, float[]>> recorded = new HashMap<>();
            MoiraiMoEForecast.CallObserver obs =
                    new MoiraiMoEForecast.CallObserver() {
                        @Override
                        public TensorRecorder recorder(int call) {
                            Map<String, float[]> m =
                                    recorded.computeIfAbsent(call, k -> new HashMap<>());
                            return (n, v, shape) -> m.put(n, v);
                        }

                        @Override
                        public void input(int call, PackedBatch in) {
                            checkInputs(call, in);
                        }

                        @Override
                        public void output(int call, Mixture mixture) {
                            Map<String, float[]> m = recorded.get(call);
                            for (String p :
                                    new String[] {
                                        "weights_logits",
                                        "c0_student_t.df",
                                        "c0_student_t.loc",
                                        "c0_student_t.scale",
                                        "c1_normal_fixed_scale.loc",
                                        "c2_negative_binomial.total_count",
                                        "c2_negative_binomial.logits",
                                        "c3_log_normal.loc",
                                        "c3_log_normal.scale"
                                    }) {
                                m.put("param." + p, mixture.param(p));
                            }
                            float[] mean = new float[mixture.tokens() * 16];
                            for (int t = 0; t < mixture.tokens(); t++) {
                                for (int p = 0; p < 16; p++) {
                                    mean[t * 16 + p] = mixture.mean(t, p);
                                }
                            }
                            m.put("mean", mean);
                        }
                    };
            MoiraiMoEForecast.PatchSampler injected =
                    (step, mix, token, path, row, variate, out) -> {
                        for (int j = 0; j < 16; j++) {
                            int hh = step * 16 + j;
                            out[j] =
                                    hh < h
                                            ? replay[
                                                    ((row * sReplay + path) * h + hh) * d + variate]
                                            : 0f;
                        }
                    };
            float[] samples = fc.forward(packed, injected, obs);
            exact("forecast.replay.samples", toDouble(samples));
            int calls = meta.get("num_module_calls").asInt();
            if (recorded.size() != calls) {
                fail("calls", "made " + recorded.size() + " module calls, fixture has " + calls);
            }
            for (int k = 0; k < calls; k++) {
                compareCall(k, recorded.getOrDefault(k, Map.of()));
            }
            statistical(fc, packed);
        }

        void checkInputs(int call, PackedBatch in) {
            String p = "call" + call + ".in.";
            try {
                exact(p + "target", toDouble(in.target()));
                exact(p + "observed_mask", toDouble(in.observedMask()));
                exact(p + "sample_id", toDouble(in.sampleId()));
                exact(p + "time_id", toDouble(in.timeId()));
                exact(p + "variate_id", toDouble(in.variateId()));
                exact(p + "prediction_mask", toDouble(in.predictionMask()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void compareCall(int k, Map<String, float[]> rec) throws IOException {
            String pre = "call" + k + ".";
            for (TensorInfo info : fx.tensors().values()) {
                String full = info.name();
                if (!full.startsWith(pre) || full.startsWith(pre + "in.")) {
                    continue;
                }
                String n = full.substring(pre.length());
                float[] actual = rec.get(n);
                if (actual == null) {
                    fail(full, "not produced by the port");
                    continue;
                }
                double[] exp = read(full);
                if (n.endsWith("gate.experts")) {
                    experts(
                            full,
                            toDouble(actual),
                            exp,
                            read(full.replace("gate.experts", "gate.margin")));
                } else if (n.equals("attn_mask")) {
                    compare(full, toDouble(actual), exp, 0, 0, "");
                } else if (n.startsWith("scaler.")) {
                    compare(full, toDouble(actual), exp, 0, SCALER_RTOL, "float64 scaler");
                } else {
                    compare(full, toDouble(actual), exp, ATOL, RTOL, "");
                }
            }
        }

        void experts(String name, double[] actual, double[] exp, double[] margin) {
            long flips = 0;
            long bad = 0;
            int worst = -1;
            for (int t = 0; t < margin.length; t++) {
                boolean same = actual[2 * t] == exp[2 * t] && actual[2 * t + 1] == exp[2 * t + 1];
                if (!same) {
                    if (margin[t] < MARGIN_FLIP) {
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

        void statistical(MoiraiMoEForecast replayFc, PackedBatch packed) throws IOException {
            // (1) mc.quantiles: np.quantile of N reference draws of call0 at pred_index, against
            // our exact CDF. Tolerance in probability space: |F(x_q) - q| <= 5 sqrt(q(1-q)/N),
            // the binomial standard error of an empirical quantile (point masses: F(x-) .. F(x)).
            int nMc = meta.get("mc_num_samples").asInt();
            double[] mcLevels = levels(meta.get("mc_quantile_levels"));
            float[] mcq = fx.floats("mc.quantiles"); // (Q, B, D, 16)
            Mixture call0 = module.forward(packed);
            int l = packed.tokens();
            int[] pred = replayFc.predIndex();
            double worstRef = 0;
            double worstOwn = 0;
            String at = "-";
            SplittableRandom rng = new SplittableRandom(20261123L);
            double[] draws = new double[OWN_DRAWS];
            for (int bi = 0; bi < b; bi++) {
                for (int v = 0; v < d; v++) {
                    int tok = bi * l + pred[v];
                    for (int p = 0; p < 16; p++) {
                        for (int i = 0; i < OWN_DRAWS; i++) {
                            draws[i] = call0.sample(tok, p, rng);
                        }
                        Arrays.sort(draws);
                        for (int qi = 0; qi < mcLevels.length; qi++) {
                            double q = mcLevels[qi];
                            double x = mcq[((qi * b + bi) * d + v) * 16 + p];
                            double tol = 5 * Math.sqrt(q * (1 - q) / nMc);
                            double e = probGap(call0, tok, p, x, q);
                            double own =
                                    probGap(call0, tok, p, SampleQuantiles.linear(draws, q), q);
                            double tolOwn = 5 * Math.sqrt(q * (1 - q) / OWN_DRAWS);
                            if (e / tol > worstRef) {
                                worstRef = e / tol;
                                at = String.format("b=%d d=%d p=%d q=%.2f x=%.6g", bi, v, p, q, x);
                            }
                            worstOwn = Math.max(worstOwn, own / tolOwn);
                        }
                    }
                }
            }
            checks.add(
                    new TensorCheck(
                            "stat:mc.quantiles vs exact mixture CDF",
                            worstRef <= 1,
                            worstRef,
                            at,
                            0,
                            0,
                            1,
                            1,
                            worstRef <= 1 ? 0 : 1,
                            "worst |F(x_q)-q| in units of 5 binomial SE, N=" + nMc));
            checks.add(
                    new TensorCheck(
                            "stat:own sampler vs exact mixture CDF",
                            worstOwn <= 1,
                            worstOwn,
                            "-",
                            0,
                            0,
                            1,
                            1,
                            worstOwn <= 1 ? 0 : 1,
                            "worst |F(x_q)-q| in units of 5 binomial SE, N=" + OWN_DRAWS));
            // (2) GluonTS quantile rule on the reference's own paths: exact
            float[] stat = fx.floats("forecast.stat.samples"); // (B, S, H[, D])
            int sStat = meta.get("stat_num_samples").asInt();
            double[] qLevels = levels(meta.get("quantile_levels"));
            double[] gq = new double[qLevels.length * b * h * d];
            double[] med = new double[b * h * d];
            double[] col = new double[sStat];
            double[][][] refSorted = new double[b][h * d][];
            for (int bi = 0; bi < b; bi++) {
                for (int hd = 0; hd < h * d; hd++) {
                    for (int s = 0; s < sStat; s++) {
                        col[s] = stat[(bi * sStat + s) * h * d + hd];
                    }
                    Arrays.sort(col);
                    refSorted[bi][hd] = col.clone();
                    for (int qi = 0; qi < qLevels.length; qi++) {
                        gq[(qi * b + bi) * h * d + hd] = SampleQuantiles.gluonTs(col, qLevels[qi]);
                    }
                    med[bi * h * d + hd] = SampleQuantiles.gluonTs(col, 0.5);
                }
            }
            exact("forecast.stat.quantiles", gq);
            exact("forecast.stat.median", med);
            // (3) our AR sample paths (S=1000, own RNG) against the reference's 100 paths, per
            // step and variate: two-sample KS; critical value at alpha = 0.001 is
            // 1.95 sqrt((n + m) / (n m)) = 0.204 for n=100, m=1000 (asymptotic Kolmogorov).
            MoiraiMoEForecast own = new MoiraiMoEForecast(module, c, h, d, OWN_PATHS);
            SplittableRandom ar = new SplittableRandom(4242L);
            float[] paths =
                    own.forward(
                            packed,
                            (step, mix, token, path, row, variate, out) -> {
                                for (int j = 0; j < 16; j++) {
                                    out[j] = (float) mix.sample(token, j, ar);
                                }
                            },
                            MoiraiMoEForecast.CallObserver.NONE);
            double crit = 1.95 * Math.sqrt((double) (sStat + OWN_PATHS) / (sStat * OWN_PATHS));
            double worstKs = 0;
            String ksAt = "-";
            double[] mine = new double[OWN_PATHS];
            for (int bi = 0; bi < b; bi++) {
                for (int hd = 0; hd < h * d; hd++) {
                    for (int s = 0; s < OWN_PATHS; s++) {
                        mine[s] = paths[(bi * OWN_PATHS + s) * h * d + hd];
                    }
                    Arrays.sort(mine);
                    double ks = SampleQuantiles.ks(mine, refSorted[bi][hd]);
                    if (ks > worstKs) {
                        worstKs = ks;
                        ksAt = String.format("b=%d step=%d d=%d", bi, hd / d, hd % d);
                    }
                }
            }
            checks.add(
                    new TensorCheck(
                            "stat:forecast.stat.samples vs own paths (KS)",
                            worstKs <= crit,
                            worstKs,
                            ksAt,
                            0,
                            0,
                            crit,
                            (long) b * h * d,
                            worstKs <= crit ? 0 : 1,
                            String.format("S_ref=%d S_own=%d alpha=0.001", sStat, OWN_PATHS)));
        }

        /**
         * Distance of q from [F(x - eps), F(x + eps)] under our exact mixture CDF; eps = 1e-6 |x|
         * covers float32 rounding of draws on the negative-binomial lattice loc + scale n.
         */
        static double probGap(Mixture m, int tok, int p, double x, double q) {
            double eps = 1e-6 * Math.max(1, Math.abs(x));
            double hi = m.cdf(tok, p, x + eps);
            double lo = m.cdf(tok, p, x - eps);
            if (q < lo) {
                return lo - q;
            }
            return q > hi ? q - hi : 0;
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

        void compare(
                String name, double[] actual, double[] exp, double atol, double rtol, String note)
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
                    worst = Math.max(worst, err);
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
                            note));
        }
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
