package io.patchcast.models.moiraimoe;

/**
 * Receives intermediate tensors of a module call by their fixture names ({@code embed}, {@code
 * layer0.ffn_in}, ...), as plain Java copies. For parity checks and debugging only.
 */
@FunctionalInterface
public interface TensorRecorder {

    TensorRecorder NONE = (name, values, shape) -> {};

    void record(String name, float[] values, long... shape);

    default boolean enabled() {
        return this != NONE;
    }
}
