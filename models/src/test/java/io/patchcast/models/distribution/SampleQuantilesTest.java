package io.patchcast.models.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SampleQuantilesTest {

    @Test
    void gluonTsRoundsHalfToEven() {
        double[] s = new double[100];
        for (int i = 0; i < s.length; i++) {
            s[i] = i;
        }
        // spec §10: q = .5 -> 50 (49.5 rounds to even 50), .6 -> 59 (59.4), .7 -> 69 (69.3)
        assertThat(SampleQuantiles.gluonTs(s, 0.5)).isEqualTo(50);
        assertThat(SampleQuantiles.gluonTs(s, 0.6)).isEqualTo(59);
        assertThat(SampleQuantiles.gluonTs(s, 0.9)).isEqualTo(89);
        double[] s98 = new double[98];
        for (int i = 0; i < s98.length; i++) {
            s98[i] = i;
        }
        // (98 - 1) * 0.5 = 48.5 -> 48 (Math.round would give 49)
        assertThat(SampleQuantiles.gluonTs(s98, 0.5)).isEqualTo(48);
    }

    @Test
    void linearMatchesNumpyAndKsOfIdenticalSamplesIsZero() {
        double[] s = {1, 2, 4, 8};
        assertThat(SampleQuantiles.linear(s, 0.5)).isEqualTo(3);
        assertThat(SampleQuantiles.linear(s, 0.9)).isCloseTo(6.8, within(1e-12));
        assertThat(SampleQuantiles.ks(s, s.clone())).isZero();
        assertThat(SampleQuantiles.ks(new double[] {0, 1}, new double[] {2, 3})).isEqualTo(1);
        assertThat(SampleQuantiles.ecdf(s, 4)).isEqualTo(0.75);
    }
}
