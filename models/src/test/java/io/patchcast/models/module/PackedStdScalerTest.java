package io.patchcast.models.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PackedStdScalerTest {

    static final int P = 4;

    @Test
    void groupsBySampleAndVariateWithSafeDivisionAndMinimumScaleInsideTheSqrt() {
        // one row, 4 tokens: [pad (sid 0), var0, var0, var1 with a single observation]
        float[] target = {9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 3, 0, 0, 0};
        boolean[] obs = {
            true, true, true, true, true, true, true, true, true, true, true, false, true, false,
            false, false
        };
        long[] sid = {0, 1, 1, 1};
        long[] vid = {0, 0, 0, 1};
        float[] loc = new float[4];
        float[] scale = new float[4];
        PackedStdScaler.forward(target, obs, sid, vid, 1, 4, P, loc, scale);
        assertThat(loc[0]).isZero();
        assertThat(scale[0]).isEqualTo(1f);
        // var0: values 1..7 -> mean 4, unbiased variance 28/6
        assertThat(loc[1]).isEqualTo(4f);
        assertThat(loc[2]).isEqualTo(4f);
        assertThat(scale[1]).isCloseTo((float) Math.sqrt(28.0 / 6 + 1e-5), within(1e-7f));
        // var1: n = 1 -> variance 0 / 1 -> scale sqrt(1e-5)
        assertThat(loc[3]).isEqualTo(3f);
        assertThat(scale[3]).isCloseTo((float) Math.sqrt(1e-5), within(1e-9f));
    }

    @Test
    void noObservationGivesLocZeroAndMinimumScale() {
        float[] target = {5, 5, 5, 5};
        boolean[] obs = new boolean[4];
        float[] loc = new float[1];
        float[] scale = new float[1];
        PackedStdScaler.forward(target, obs, new long[] {1}, new long[] {0}, 1, 1, P, loc, scale);
        assertThat(loc[0]).isZero();
        assertThat(scale[0]).isCloseTo((float) Math.sqrt(1e-5), within(1e-9f));
    }
}
