package io.patchcast.models.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DistrParamProjTest {

    @Test
    void softplusUsesTorchsThresholdAndNeverOverflows() {
        assertThat(DistrParamProj.softplus(100f)).isEqualTo(100f);
        assertThat(DistrParamProj.softplus(20.5f)).isEqualTo(20.5f);
        assertThat(DistrParamProj.softplus(0f)).isEqualTo((float) Math.log(2));
        assertThat(DistrParamProj.softplus(-200f)).isZero();
    }

    @Test
    void rawLayoutIsParameterMajor() {
        // raw[j * 16 + p] -> param[p][j]: weights_logits logit[p][c] = raw[c * 16 + p]
        float[] raw = new float[DistrParamProj.RAW];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = i;
        }
        Mixture m =
                new DistrParamProj(null, null, 0.001)
                        .mixture(raw, 1, new float[] {0}, new float[] {1});
        float[] wl = m.param("weights_logits");
        assertThat(wl[3 * 4 + 2]).isEqualTo(2 * 16 + 3); // p = 3, c = 2
        assertThat(m.param("c0_student_t.loc")[5]).isEqualTo(64 + 16 + 5);
        assertThat(m.param("c3_log_normal.loc")[7]).isEqualTo(64 + 6 * 16 + 7);
        assertThat(m.param("c0_student_t.df")[0]).isEqualTo(2f + 64f); // 2 + softplus(64)
    }
}
