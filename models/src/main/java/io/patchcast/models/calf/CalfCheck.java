package io.patchcast.models.calf;

import java.util.Objects;

/**
 * One parity check group of {@link CalfVerifier}: the worst error over its tensors, the tensor
 * where it occurs, and the tolerance (absolute, or relative to max(1, max|reference|) when {@code
 * relative}).
 */
public record CalfCheck(
        String group, int tensors, double worst, String worstTensor, double tolerance, boolean relative) {

    public CalfCheck {
        Objects.requireNonNull(group, "group");
        if (tensors < 1) {
            throw new IllegalArgumentException("check group '" + group + "' compared no tensor");
        }
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }
    }

    /** NaN never passes. */
    public boolean pass() {
        return worst <= tolerance;
    }

    public String line() {
        return String.format(
                "%-28s %3d tensors  worst %s |diff| %.2e (%s)  tol %.0e  %s",
                group,
                tensors,
                relative ? "rel" : "abs",
                worst,
                worstTensor,
                tolerance,
                pass() ? "PASS" : "FAIL");
    }
}
