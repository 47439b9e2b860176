package io.patchcast.models.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MoEFeedForwardTest {

    @Test
    void routesToTheTwoFarthestCentroidsAndSoftmaxesRawDistances() {
        float[] dist = new float[2 * MoEFeedForward.NUM_EXPERTS];
        for (int e = 0; e < MoEFeedForward.NUM_EXPERTS; e++) {
            dist[e] = 1f + e * 0.01f; // token 0: experts 31 > 30 > 29 ...
            dist[32 + e] = 5f;
        }
        dist[32 + 3] = 7f; // token 1: expert 3, then 9, then the rest
        dist[32 + 9] = 6.5f;
        MoEFeedForward.Routing r = MoEFeedForward.route(dist, 2);
        assertThat(r.experts()).containsExactly(31, 30, 3, 9);
        double w = 1 / (1 + Math.exp(dist[30] - dist[31]));
        assertThat(r.weights()[0]).isCloseTo((float) w, within(1e-7f));
        assertThat(r.weights()[0] + r.weights()[1]).isCloseTo(1f, within(1e-7f));
        assertThat(r.weights()[2]).isCloseTo((float) (1 / (1 + Math.exp(-0.5))), within(1e-7f));
        assertThat(r.margin()[0]).isCloseTo(dist[30] - dist[29], within(1e-7f));
        assertThat(r.margin()[1]).isCloseTo(1.5f, within(1e-7f));
    }

    @Test
    void tiesKeepTheLowerIndexFirstLikeTorchTopk() {
        float[] dist = new float[MoEFeedForward.NUM_EXPERTS];
        java.util.Arrays.fill(dist, 2f);
        MoEFeedForward.Routing r = MoEFeedForward.route(dist, 1);
        assertThat(r.experts()).containsExactly(0, 1);
        assertThat(r.weights()).containsExactly(0.5f, 0.5f);
    }
}
