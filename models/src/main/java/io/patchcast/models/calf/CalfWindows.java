package io.patchcast.models.calf;

/**
 * Sliding windows over a (T, M) row-major matrix of a channel group, stride 1, as CALF's data
 * loaders cut them (spec §7): x = data[i : i+L], y = data[i+L : i+L+H], for i in [from, to - L - H].
 */
public record CalfWindows(float[] data, int steps, int channels, int seqLen, int predLen) {

    public CalfWindows {
        if (data.length != steps * channels) {
            throw new IllegalArgumentException(
                    String.format("data has %d values, expected %d steps x %d channels", data.length, steps, channels));
        }
    }

    /** Number of windows whose x starts in [from, to - L - H]. */
    public int count(int from, int to) {
        return Math.max(0, to - from - seqLen - predLen + 1);
    }

    /** x of the window starting at {@code start}, (L, M) row-major, appended at {@code off}. */
    public void x(int start, float[] dst, int off) {
        System.arraycopy(data, start * channels, dst, off, seqLen * channels);
    }

    /** y of the window starting at {@code start}, (H, M) row-major, appended at {@code off}. */
    public void y(int start, float[] dst, int off) {
        System.arraycopy(data, (start + seqLen) * channels, dst, off, predLen * channels);
    }
}
