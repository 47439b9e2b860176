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

    @Test
    void balanceSplitsChosenExpertsIntoEvenGroups() {
        int[] count = new int[MoEFeedForward.NUM_EXPERTS];
        count[0] = 9; // padded 12 rows
        count[3] = 1; // 4
        count[7] = 2; // 4
        count[31] = 5; // 8
        // costs 8 + padded rows: e0 20, e31 16, e7 12, e3 12; greedy largest first: {0, 3}, {31, 7}
        java.util.List<int[]> g = MoEFeedForward.balance(count, 2);
        assertThat(g).hasSize(2);
        assertThat(g.get(0)).containsExactly(0, 3);
        assertThat(g.get(1)).containsExactly(31, 7);
        // never more groups than chosen experts, and one group keeps expert order
        assertThat(MoEFeedForward.balance(count, 8)).hasSize(4);
        assertThat(MoEFeedForward.balance(count, 1).get(0))
                .containsExactly(0, 3, 7, 31);
    }
}
