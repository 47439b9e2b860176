package io.patchcast.models.training;

/**
 * Everything that determines a training run: sizes, data, optimiser and schedule.
 *
 * @param maxContextTokens longest context in patches (crops draw 2..max)
 * @param maxPredictionTokens most predicted patches after the context (crops draw 1..max)
 * @param warmup linear warm-up steps, then cosine decay to {@code lr * minLrRatio} at {@code steps}
 */
public record Recipe(
        int dModel,
        int dFf,
        int layers,
        int batchSize,
        int maxContextTokens,
        int maxPredictionTokens,
        double lr,
        double minLrRatio,
        int warmup,
        int steps,
        double weightDecay,
        double beta1,
        double beta2,
        double clip,
        long seed) {

    public Recipe {
        if (dModel <= 0 || dModel % 64 != 0 || dFf <= 0 || layers <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("sizes must be positive and d_model a multiple of 64");
        }
        if (maxContextTokens < 2 || maxPredictionTokens < 1 || steps < 1 || warmup < 0 || warmup > steps) {
            throw new IllegalArgumentException("need context >= 2 patches, >= 1 predicted patch, 0 <= warmup <= steps");
        }
        if (!(lr > 0) || minLrRatio < 0 || minLrRatio > 1 || clip <= 0) {
            throw new IllegalArgumentException("lr > 0, 0 <= minLrRatio <= 1, clip > 0");
        }
    }

    /** The shipped default: d_model 128, 2 layers, 32 experts of width 128, context up to 512. */
    public static Recipe defaults(int steps, long seed) {
        return new Recipe(128, 128, 2, 32, 32, 2, 2e-3, 0.05, Math.min(200, steps / 10), steps, 0.01, 0.9,
                0.98, 1.0, seed);
    }

    /** Learning rate at {@code step} (0-based): linear warm-up, then cosine to the floor. */
    public double learningRate(long step) {
        if (step < warmup) {
            return lr * (step + 1) / warmup;
        }
        double progress = steps == warmup ? 1 : Math.min(1.0, (double) (step - warmup) / (steps - warmup));
        double min = lr * minLrRatio;
        return min + (lr - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
