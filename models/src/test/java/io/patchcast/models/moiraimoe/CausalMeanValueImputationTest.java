package io.patchcast.models.moiraimoe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CausalMeanValueImputationTest {

    static final float N = Float.NaN;

    @Test
    void imputesTheMeanOfTheForwardFilledPast() {
        // ff = [1, 3, 3, 3, 5]; t=2: (1+3)/2 = 2; t=3: (1+3+3)/3
        float[] out = CausalMeanValueImputation.impute(new float[] {1, 3, N, N, 5});
        assertThat(out).containsExactly(1f, 3f, 2f, (float) (7.0 / 3), 5f);
    }

    @Test
    void leadingNaNsTakeTheFirstObservation() {
        // ff = [4, 4, 4, 6]; position 0 -> ff[0] = 4; t=1: 4/1; t=2 observed
        float[] out = CausalMeanValueImputation.impute(new float[] {N, N, 4, 6});
        assertThat(out).containsExactly(4f, 4f, 4f, 6f);
    }

    @Test
    void allMissingOrLengthOneBecomesZero() {
        assertThat(CausalMeanValueImputation.impute(new float[] {N, N})).containsExactly(0f, 0f);
        assertThat(CausalMeanValueImputation.impute(new float[] {N})).containsExactly(0f);
    }
}
