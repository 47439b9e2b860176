package io.patchcast.job.score;

/** The parameter checks of the novelty rules ({@link LevelNovelty}, {@link ShapeNovelty}, {@link QuietNovelty}). */
final class RuleArgs {
    private RuleArgs() {}

    /** {@code window}, when at least {@code min} points; else fails naming the rule. */
    static int window(String rule, int window, int min) {
        if (window < min) {
            throw new IllegalArgumentException(String.format("%s window must be at least %d point%s, got %d", rule,
                    min, min == 1 ? "" : "s", window));
        }
        return window;
    }

    /** {@code tolerance}, when positive; else fails naming the rule. */
    static double tolerance(String rule, double tolerance) {
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException(String.format("%s tolerance must be positive, got %s", rule, tolerance));
        }
        return tolerance;
    }
}
