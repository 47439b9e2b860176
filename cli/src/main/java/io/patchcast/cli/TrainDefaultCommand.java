package io.patchcast.cli;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import io.patchcast.models.training.PretrainRun;
import io.patchcast.models.training.Recipe;
import io.patchcast.models.training.Trainer;
import io.patchcast.store.Manifest;
import io.patchcast.store.ModelRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Pretrains the shipped small Moirai-MoE on synthetic series and writes it as a model folder. */
@Command(name = "train-default", mixinStandardHelpOptions = true,
        description = "Pretrain the default small Moirai-MoE on synthetic monitoring series; writes config.json, "
                + "model.safetensors (released layout) and manifest.json into --out. Resumes from --work.")
final class TrainDefaultCommand implements Callable<Integer> {

    static final String NAME = "patchcast-moirai-moe-s";

    @Option(names = "--steps", required = true, description = "Optimiser steps.")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation and data. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, description = "Model folder to write.")
    Path out;

    @Option(names = "--work", description = "Folder for resumable checkpoints. Default: <out>.work.")
    Path work;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", defaultValue = "1",
            description = "PyTorch intra-op threads (0: PyTorch's default); 1 is fastest on a busy 2-core machine. "
                    + "Default: ${DEFAULT-VALUE}.")
    int threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        ArgumentChecks.atLeast(spec, "--steps", steps, 1);
        ArgumentChecks.atLeast(spec, "--threads", threads, 0);
        Device dev = ArgumentChecks.device(spec, "--device", device);
        if (threads > 0) {
            ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library
            JniUtils.setNumThreads(threads);
        }
        Recipe recipe = Recipe.defaults(steps, seed);
        Path workDir = work != null ? work : out.resolveSibling(out.getFileName() + ".work");
        long t0 = System.nanoTime();
        try (Trainer t = PretrainRun.run(recipe, workDir, dev, 250, log)) {
            double heldOut = PretrainRun.heldOutLoss(t);
            Files.createDirectories(out);
            t.model().saveReleased(out);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("seed", seed);
            r.put("steps", steps);
            r.put("d_model", recipe.dModel());
            r.put("d_ff", recipe.dFf());
            r.put("num_layers", recipe.layers());
            r.put("experts", 32);
            r.put("experts_per_token", 2);
            r.put("patch_size", 16);
            r.put("batch_size", recipe.batchSize());
            r.put("max_context_patches", recipe.maxContextTokens());
            r.put("max_prediction_patches", recipe.maxPredictionTokens());
            r.put("lr", recipe.lr());
            r.put("min_lr_ratio", recipe.minLrRatio());
            r.put("warmup", recipe.warmup());
            r.put("weight_decay", recipe.weightDecay());
            r.put("betas", java.util.List.of(recipe.beta1(), recipe.beta2()));
            r.put("clip", recipe.clip());
            r.put("parameters", t.model().parameterCount());
            r.put("final_loss", Math.round(heldOut * 1e4) / 1e4);
            r.put("final_loss_is", "mean mixture NLL (scaled space) on 4 held-out synthetic batches");
            r.put("data", "io.patchcast.models.training.SyntheticSeries (KernelSynth-style + augmentation)");
            r.put("command", "train-default --steps " + steps + " --seed " + seed);
            Manifest m = Manifest.of(out, NAME, "s" + seed + "-" + steps, ModelRegistry.MOIRAI_MOE, r,
                    "config.json", "model.safetensors");
            m.write(out);
            log.printf("wrote %s: %,d parameters, %d steps, held-out loss %.4f, %.0f s%n", out,
                    t.model().parameterCount(), steps, heldOut, (System.nanoTime() - t0) / 1e9);
        }
        log.flush();
        return 0;
    }
}
