package io.patchcast.cli;

import ai.djl.Device;
import io.patchcast.models.calf.CalfCheck;
import io.patchcast.models.calf.CalfVerifier;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Checks the Java CALF against reference tensors of the CALF code: a folder in the layout of the
 * project's calf fixtures (config.json, model.safetensors, model_unmerged.safetensors,
 * gpt2_pretrained.safetensors, word_embedding.safetensors, inference.safetensors,
 * train_step.safetensors).
 */
@Command(name = "verify-calf", mixinStandardHelpOptions = true,
        description = "Compare the Java CALF (forward, LoRA merged and unmerged, PCA word embeddings, one training step) with reference tensors; prints the worst error per check and PASS or FAIL, exits 1 on failure.")
final class VerifyCalfCommand implements Callable<Integer> {

    static final List<String> FILES = List.of("config.json", "model.safetensors", "model_unmerged.safetensors",
            "gpt2_pretrained.safetensors", "word_embedding.safetensors", "inference.safetensors",
            "train_step.safetensors");

    @Option(names = "--fixtures", required = true, description = "Fixture folder (calf-fixtures.py layout).")
    Path fixtures;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu. Default: ${DEFAULT-VALUE}.")
    String device;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Device dev = ArgumentChecks.device(spec, "--device", device);
        List<String> missing = FILES.stream().filter(f -> !Files.isRegularFile(fixtures.resolve(f))).toList();
        if (!missing.isEmpty()) {
            spec.commandLine().getErr().printf("%s: missing %s; expected the calf fixture layout%n", fixtures, missing);
            return 2;
        }
        List<CalfCheck> checks = CalfVerifier.verify(fixtures, dev);
        for (CalfCheck c : checks) {
            out.println(c.line());
        }
        boolean pass = CalfVerifier.pass(checks);
        out.println(pass ? "PASS" : "FAIL");
        out.flush();
        return pass ? 0 : 1;
    }
}
