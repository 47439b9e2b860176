package io.patchcast.models.calf;

/** Accumulates the worst difference of a check group, tensor by tensor. */
final class CheckAccumulator {

    private final String group;
    private final double tolerance;
    private final boolean relative;
    private int tensors;
    private double worst;
    private String worstTensor = "-";

    CheckAccumulator(String group, double tolerance, boolean relative) {
        this.group = group;
        this.tolerance = tolerance;
        this.relative = relative;
    }

    /** Compares {@code actual} with {@code expected}; a length mismatch counts as infinite error. */
    void compare(String name, float[] expected, float[] actual) {
        tensors++;
        double d;
        if (expected.length != actual.length) {
            d = Double.POSITIVE_INFINITY;
        } else {
            double maxRef = 0;
            double maxDiff = 0;
            for (int i = 0; i < expected.length; i++) {
                double diff = Math.abs((double) expected[i] - actual[i]);
                if (Double.isNaN(diff)) {
                    diff = Double.POSITIVE_INFINITY;
                }
                maxDiff = Math.max(maxDiff, diff);
                maxRef = Math.max(maxRef, Math.abs(expected[i]));
            }
            d = relative ? maxDiff / Math.max(1.0, maxRef) : maxDiff;
        }
        if (d > worst || tensors == 1) {
            worst = Math.max(worst, d);
            if (d >= worst) {
                worstTensor = name;
            }
        }
    }

    CalfCheck result() {
        return new CalfCheck(group, tensors, worst, worstTensor, tolerance, relative);
    }
}
