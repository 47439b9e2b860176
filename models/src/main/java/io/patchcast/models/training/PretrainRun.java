package io.patchcast.models.training;

import ai.djl.Device;

import io.patchcast.models.io.SafetensorsReader;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs (or resumes) a pretraining recipe in a work folder: {@code checkpoint.safetensors} is
 * written every {@code checkpointEvery} steps and at the end, and a run whose checkpoint exists
 * continues from it. The final loss is the mean NLL on {@link #HELD_OUT_BATCHES} held-out synthetic
 * batches (seeds no training step uses), so it is the same however the run was interrupted.
 */
public final class PretrainRun {

    public static final String CHECKPOINT = "checkpoint.safetensors";
    static final int HELD_OUT_BATCHES = 4;
    /** Held-out batches use this seed offset; training seeds are small integers. */
    static final long HELD_OUT_SEED = 1_000_000_007L;

    /** What a finished run reports. */
    public record Result(long steps, double finalLoss, long parameters, double seconds, long skippedSteps) {}

    private PretrainRun() {}

    /** Trains to {@code recipe.steps()}; the trained model stays open in the returned trainer. */
    public static Trainer run(Recipe recipe, Path work, Device device, int checkpointEvery, PrintWriter log)
            throws IOException {
        Files.createDirectories(work);
        Path ckpt = work.resolve(CHECKPOINT);
        Trainer t;
        if (Files.isRegularFile(ckpt)) {
            t = Trainer.resume(ckpt, device);
            if (!t.recipe().equals(recipe)) {
                t.close();
                throw new IllegalArgumentException(String.format(
                        "%s holds another recipe (%s); remove it or use another folder", ckpt, t.recipe()));
            }
            log.printf("resuming at step %d%n", t.stepsDone());
        } else {
            t = Trainer.start(recipe, device);
            log.printf("training %,d parameters: %s%n", t.model().parameterCount(), recipe);
        }
        log.flush();
        long t0 = System.nanoTime();
        double sum = 0;
        int n = 0;
        while (t.stepsDone() < recipe.steps()) {
            double loss = t.trainStep();
            if (Double.isFinite(loss)) {
                sum += loss;
                n++;
            }
            long s = t.stepsDone();
            if (s % 50 == 0 || s == recipe.steps()) {
                log.printf(Locale.ROOT, "step %d loss %.4f lr %.2e %.2f s/step skipped %d%n", s, sum / Math.max(1, n),
                        recipe.learningRate(s - 1), (System.nanoTime() - t0) / 1e9 / Math.max(1, n),
                        t.skippedSteps());
                log.flush();
                sum = 0;
                n = 0;
                t0 = System.nanoTime();
            }
            if (s % checkpointEvery == 0 || s == recipe.steps()) {
                t.save(ckpt);
            }
        }
        return t;
    }

    /** Mean NLL of the trainer's model on the held-out batches of its recipe. */
    public static double heldOutLoss(Trainer t) {
        Recipe r = t.recipe();
        Recipe held = new Recipe(r.dModel(), r.dFf(), r.layers(), r.batchSize(), r.maxContextTokens(),
                r.maxPredictionTokens(), r.lr(), r.minLrRatio(), r.warmup(), r.steps(), r.weightDecay(), r.beta1(),
                r.beta2(), r.clip(), r.seed() + HELD_OUT_SEED);
        double s = 0;
        for (int i = 0; i < HELD_OUT_BATCHES; i++) {
            s += t.evaluate(Trainer.batch(held, i));
        }
        return s / HELD_OUT_BATCHES;
    }

    /** Reads the step count of a checkpoint (for reports). */
    public static long stepsOf(Path ckpt) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(ckpt)) {
            return r.longs("step")[0];
        }
    }
}
