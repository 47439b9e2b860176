package io.patchcast.store;

import java.util.Objects;

/**
 * A model version by name, as routing rules and outputs name it: {@code <model>/<version>} is its
 * folder in the model store ({@link ModelStore}). Both parts are single path segments.
 */
public record ModelRef(String model, String version) implements java.io.Serializable {

    /** The built-in statistical model; needs no store. */
    public static final ModelRef SEASONAL_NAIVE = new ModelRef(ModelRegistry.SEASONAL_NAIVE, "1");

    public ModelRef {
        checkSegment("model", model);
        checkSegment("version", version);
    }

    private static void checkSegment(String what, String s) {
        Objects.requireNonNull(s, what);
        if (s.isBlank() || s.equals(".") || s.equals("..") || s.contains("/") || s.contains("\\")
                || !s.strip().equals(s)) {
            throw new IllegalArgumentException(String.format(
                    "%s '%s' must be one folder name (non-empty, no '/', '\\', surrounding blanks, '.' or '..')",
                    what, s));
        }
    }

    public boolean isBuiltIn() {
        return equals(SEASONAL_NAIVE);
    }

    @Override
    public String toString() {
        return model + "@" + version;
    }
}
