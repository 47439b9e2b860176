package io.patchcast.models.moiraimoe;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.models.moiraimoe.MoiraiMoEVerifier.TensorCheck;
import org.junit.jupiter.api.Test;

/** The worst difference in float32 ulps, the way {@code verify-moirai} reports it. */
class TensorCheckTest {

    static TensorCheck placed(double worstAbs, double reference) {
        return new TensorCheck("call0.mean", true, worstAbs, "[0]", reference, reference, 1, 1, 0, "", reference);
    }

    @Test
    void ulpsAreCountedAtTheReferenceValue() {
        // float32 spacing: 2^-13 = 1.220703125e-4 in [1024, 2048), 2^-21 in [16, 32)
        assertThat(placed(2.44140625e-4, 1330.28).worstUlps()).isEqualTo(2.0);
        assertThat(placed(2.44140625e-4, -2694.9).worstUlps()).isEqualTo(1.0);
        assertThat(placed(5.7220458984375e-6, 23.7583).worstUlps()).isEqualTo(3.0);
    }

    @Test
    void checksWithoutAPlaceHaveNoUlps() {
        TensorCheck stat = new TensorCheck("stat:x", true, 0.1, "-", 0, 0, 0.2, 1, 0, "");
        assertThat(stat.worstUlps()).isNaN();
    }
}
