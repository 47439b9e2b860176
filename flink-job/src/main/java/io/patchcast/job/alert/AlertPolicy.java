package io.patchcast.job.alert;

import java.time.Duration;
import java.util.Objects;

/**
 * When a series' flags become an alert.
 *
 * @param k flagged points among the last {@code n} that fire an alert
 * @param n window of recent points, at most 64
 * @param recoverAfter consecutive clean points that resolve a firing alert
 * @param cooldown an alert firing again less than this after it resolved re-opens the same episode
 */
public record AlertPolicy(int k, int n, int recoverAfter, Duration cooldown) implements java.io.Serializable {

    public static final int MAX_WINDOW = 64;

    public AlertPolicy {
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k-of-n needs 1 <= k <= n, got k=" + k + ", n=" + n);
        }
        if (n > MAX_WINDOW) {
            throw new IllegalArgumentException("n must be at most " + MAX_WINDOW + ", got " + n);
        }
        if (recoverAfter < 1) {
            throw new IllegalArgumentException("recoverAfter must be at least 1, got " + recoverAfter);
        }
        Objects.requireNonNull(cooldown, "cooldown");
        if (cooldown.isNegative()) {
            throw new IllegalArgumentException("cooldown must not be negative, got " + cooldown);
        }
    }
}
