package io.patchcast.models.module;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: makes Java collect unreachable direct buffers and hands their memory out again
 * filled with NaN, so a tensor still reading a collected buffer sees NaN instead of its old value.
 */
public final class FreedBuffers {

    private FreedBuffers() {}

    /** Collects, then allocates {@code count} small direct buffers of NaN and returns them (keep them). */
    public static List<ByteBuffer> collectAndPoison(int count) throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20); // the Cleaner thread frees the native memory
        }
        List<ByteBuffer> keep = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            for (int size = 4; size <= 8; size += 4) {
                ByteBuffer b = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
                for (int o = 0; o < size; o += 4) {
                    b.putFloat(o, Float.NaN);
                }
                keep.add(b);
            }
        }
        return keep;
    }
}
