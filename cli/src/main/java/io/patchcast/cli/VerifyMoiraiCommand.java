package io.patchcast.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchcast.models.moiraimoe.MoiraiMoEVerifier;
import io.patchcast.store.Sha256;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Checks the Java Moirai-MoE against reference tensors of uni2ts: a folder with {@code model/}
 * (config.json + model.safetensors) and {@code case_*.json} + {@code case_*.safetensors}, the layout
 * of the project's fixtures. Fixtures made from a checkpoint ({@code moirai-moe-fixtures.py
 * --checkpoint}, e.g. the released weights) have no {@code model/}: their {@code manifest.json} names
 * the checkpoint's SHA-256, and {@code --checkpoint} gives the folder, checked against it.
 */
@Command(name = "verify-moirai", mixinStandardHelpOptions = true,
        description = "Compare the Java Moirai-MoE with reference tensors; prints the worst error per case and PASS or FAIL, exits 1 on failure.")
final class VerifyMoiraiCommand implements Callable<Integer> {

    @Option(names = "--fixtures", required = true, description = "Fixture folder (model/ and case_* files).")
    Path fixtures;

    @Option(names = "--checkpoint", description = "The checkpoint folder (config.json, model.safetensors) fixtures"
            + " without model/ were made from (moirai-moe-fixtures.py --checkpoint); its model.safetensors must have"
            + " the SHA-256 in the fixtures' manifest.json. Default: the fixtures' model/.")
    Path checkpoint;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu. Default: ${DEFAULT-VALUE}.")
    String device;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Device dev = ArgumentChecks.device(spec, "--device", device);
        Path model = model();
        if (model == null) {
            return 2;
        }
        MoiraiMoEVerifier.Report report = MoiraiMoEVerifier.verify(fixtures, model, dev);
        out.print(report.summary());
        for (MoiraiMoEVerifier.CaseReport c : report.cases()) {
            MoiraiMoEVerifier.TensorCheck w = c.worstDeterministic();
            String where = Double.isFinite(w.worstUlps())
                    ? String.format(" (%s, reference %.6g: %.2g float32 ulp)", w.tensor(), w.worstAbsExpected(),
                            w.worstUlps())
                    : "";
            out.printf("case %s: worst deterministic |diff| %.3g%s %s%n", c.name(), c.worstDeterministicAbs(), where,
                    c.pass() ? "PASS" : "FAIL");
        }
        out.println(report.pass() ? "PASS" : "FAIL");
        out.flush();
        return report.pass() ? 0 : 1;
    }

    /** The model folder to verify with, or null after saying why there is none. */
    private Path model() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        Path manifest = fixtures.resolve("manifest.json");
        String expected = null;
        if (Files.isRegularFile(manifest)) {
            JsonNode sha = new ObjectMapper().readTree(manifest.toFile()).get("checkpoint_sha256");
            expected = sha == null || sha.isNull() ? null : sha.asText();
        }
        if (checkpoint == null) {
            if (Files.isDirectory(fixtures.resolve("model"))) {
                return fixtures.resolve("model");
            }
            if (expected != null) {
                err.printf("%s: no model/ folder: these fixtures were made from a checkpoint whose model.safetensors has"
                        + " SHA-256 %s (manifest.json); give that folder with --checkpoint DIR%n", fixtures, expected);
            } else {
                err.printf("%s: no model/ folder; expected the moirai-moe fixture layout%n", fixtures);
            }
            return null;
        }
        if (expected == null) {
            err.printf("%s: manifest.json names no checkpoint_sha256: these fixtures were not made from a checkpoint"
                    + " (moirai-moe-fixtures.py --checkpoint), so --checkpoint cannot be checked against them%s%n",
                    fixtures, Files.isDirectory(fixtures.resolve("model")) ? "; verify them with their model/" : "");
            return null;
        }
        Path weights = checkpoint.resolve("model.safetensors");
        if (!Files.isRegularFile(weights) || !Files.isRegularFile(checkpoint.resolve("config.json"))) {
            err.printf("%s: not a checkpoint folder (config.json and model.safetensors)%n", checkpoint);
            return null;
        }
        String actual = Sha256.of(weights);
        if (!actual.equalsIgnoreCase(expected)) {
            err.printf("%s: SHA-256 %s, but the fixtures were made from a checkpoint with %s (manifest.json)%n",
                    weights, actual, expected);
            return null;
        }
        return checkpoint;
    }
}
