package io.patchcast.cli;

import ai.djl.Device;
import io.patchcast.models.moiraimoe.MoiraiMoEVerifier;
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
 * of the project's fixtures.
 */
@Command(name = "verify-moirai", mixinStandardHelpOptions = true,
        description = "Compare the Java Moirai-MoE with reference tensors; prints the worst error per case and PASS or FAIL, exits 1 on failure.")
final class VerifyMoiraiCommand implements Callable<Integer> {

    @Option(names = "--fixtures", required = true, description = "Fixture folder (model/ and case_* files).")
    Path fixtures;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu. Default: ${DEFAULT-VALUE}.")
    String device;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Device dev = ArgumentChecks.device(spec, "--device", device);
        if (!Files.isDirectory(fixtures.resolve("model"))) {
            spec.commandLine().getErr().printf("%s: no model/ folder; expected the moirai-moe fixture layout%n", fixtures);
            return 2;
        }
        MoiraiMoEVerifier.Report report = MoiraiMoEVerifier.verify(fixtures, dev);
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
}
