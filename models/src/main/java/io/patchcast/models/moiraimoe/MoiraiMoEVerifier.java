package io.patchcast.models.moiraimoe;

import ai.djl.Device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.patchcast.models.io.SafetensorsReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
            String note,
            double worstAbsExpected) {

        /** A check without a worst element to place (statistics, expert ids, failures). */
        public TensorCheck(String tensor, boolean pass, double worstAbs, String worstAt, double expected,
                double actual, double tolerance, long count, long failures, String note) {
            this(tensor, pass, worstAbs, worstAt, expected, actual, tolerance, count, failures, note, Double.NaN);
        }

        /**
         * The largest absolute difference in units in the last place of float32 at the reference
         * value where it occurs (the reference is float32: 1e-4 is below its resolution from 1024
         * on); NaN when not placed.
         */
        public double worstUlps() {
            return Double.isFinite(worstAbsExpected) ? worstAbs / Math.ulp((float) worstAbsExpected) : Double.NaN;
        }

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
        return verify(fixtures, fixtures.resolve("model"), device);
    }

    /**
     * Verifies every case in {@code fixtures} with the model in {@code model} (config.json and
     * model.safetensors): the fixtures' own {@code model/}, or the checkpoint they were made from.
     */
    public static Report verify(Path fixtures, Path model, Device device) throws IOException {
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
        try (MoiraiMoEModule module = MoiraiMoEModule.load(model, device)) {
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
            new VerifierCase(module, meta, fx, checks).run();
        }
        return new CaseReport(name, checks);
    }

    /** The checks of one case. */
}
