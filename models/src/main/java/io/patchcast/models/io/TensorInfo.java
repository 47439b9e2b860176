package io.patchcast.models.io;

import java.util.Arrays;

/**
 * One entry of a safetensors header.
 *
 * @param name tensor key
 * @param dtype element type
 * @param shape dimensions, row-major; empty for a scalar
 * @param begin start offset in the data section (bytes)
 * @param end end offset (exclusive) in the data section (bytes)
 */
public record TensorInfo(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteLength() {
        return end - begin;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** True when the shape equals {@code expected}. */
    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }
}
