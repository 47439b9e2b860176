package io.patchcast.models.moiraimoe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.patchcast.models.distribution.Mixture;
import io.patchcast.models.io.MoiraiMoEConfig;
import io.patchcast.models.io.ModelFormatException;
import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.SafetensorsWriter;
import io.patchcast.models.io.TensorInfo;
import io.patchcast.models.module.MoEFeedForward;
import io.patchcast.models.module.VectorKernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class MoiraiMoEModuleTest {

    static final Path MODEL = MoiraiMoEParityTest.FIXTURES.resolve("model");

    @TempDir Path dir;

    /** Copies the fixture checkpoint, dropping {@code drop} and storing {@code f32} as F32. */
    private Path copyCheckpoint(String drop, boolean centroidF32, String reshape)
            throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsReader r = SafetensorsReader.open(MODEL.resolve("model.safetensors"))) {
            for (TensorInfo t : r.tensors().values()) {
                if (t.name().equals(drop)) {
                    continue;
                }
                long[] shape = t.name().equals(reshape) ? new long[] {t.numel()} : t.shape();
                if (t.name().equals("encoder.centroid") && !centroidF32) {
                    w.putF64(t.name(), r.doubles(t.name()), shape);
                } else {
                    w.putF32(t.name(), r.floats(t.name()), shape);
                }
            }
        }
        w.write(dir.resolve("model.safetensors"));
        Files.copy(MODEL.resolve("config.json"), dir.resolve("config.json"));
        return dir;
    }

    @Test
    void missingExpertKeyFailsNamingTheKey() throws IOException {
        Path ckpt = copyCheckpoint("encoder.layers.1.ffn.experts.7.fc_gate.weight", false, null);
        assertThatThrownBy(() -> MoiraiMoEModule.load(ckpt, null))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("'encoder.layers.1.ffn.experts.7.fc_gate.weight'");
    }

    @Test
    void wrongShapeFailsNamingKeyAndShapes() throws IOException {
        Path ckpt = copyCheckpoint(null, false, "encoder.layers.0.self_attn.q_proj.weight");
        int d = MoiraiMoEConfig.load(MODEL.resolve("config.json")).dModel();
        assertThatThrownBy(() -> MoiraiMoEModule.load(ckpt, null))
                .hasMessageContaining(
                        "'encoder.layers.0.self_attn.q_proj.weight' has shape"
                                + " [" + d * d + "], expected [" + d + ", " + d + "]");
    }

    @Test
    void acceptsF32CentroidsWithTheSameRouting() throws Exception {
        Path ckpt = copyCheckpoint(null, true, null);
        PackedBatch in = input();
        try (MoiraiMoEModule a = MoiraiMoEModule.load(MODEL, null);
                MoiraiMoEModule b = MoiraiMoEModule.load(ckpt, null)) {
            Mixture x = a.forward(in);
            Mixture y = b.forward(in);
            // the reference casts F64 centroids to float32 before cdist: identical results
            assertThat(y.param("c0_student_t.loc")).containsExactly(x.param("c0_student_t.loc"));
        }
    }

    @Test
    void weightManagerIsCappedAndHoldsTheSameArraysAfterManyForwards() throws Exception {
        PackedBatch in = input();
        try (MoiraiMoEModule m = MoiraiMoEModule.load(MODEL, null)) {
            m.forward(in);
            int before = m.weights().getManagedArrays().size();
            for (int i = 0; i < 30; i++) {
                m.forward(i % 2 == 0 ? in : in.repeat(3));
            }
            assertThat(m.weights().getManagedArrays()).hasSize(before);
            assertThatThrownBy(() -> m.weights().create(new float[] {1f}))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void chunkedCallsGiveTheSameMixtureAsOneCall() throws Exception {
        PackedBatch in = input(); // 1 row of 6 tokens
        int rows = MoiraiMoEModule.MAX_TOKENS_PER_CALL / in.tokens() + 5; // forces 2 chunks
        PackedBatch many = in.repeat(rows);
        try (MoiraiMoEModule m = MoiraiMoEModule.load(MODEL, null)) {
            Mixture one = m.forward(in.repeat(16));
            Mixture chunked = m.forward(many);
            assertThat(chunked.tokens()).isEqualTo(rows * in.tokens());
            int last = (rows - 1) * in.tokens(); // a token of the second chunk
            for (int k = 0; k < in.tokens(); k++) {
                for (int p = 0; p < 16; p++) {
                    assertThat(chunked.mean(last + k, p)).isEqualTo(one.mean(k, p));
                }
            }
        }
    }

    /**
     * forwardAt computes the last layer for the kept tokens only, padded to MIN_ROWS query rows on
     * libtorch, so its numbers equal the full pass at those tokens (bit for bit: both run the
     * kernels on >= 12 rows), alone, in a batch of 40 rows, and on 2 compute threads.
     */
    @Test
    void forwardAtEqualsTheFullPassAtTheKeptTokens() throws Exception {
        assertForwardAtEqualsTheFullPass(MoEFeedForward.Dispatch.SPARSE, new int[] {3, 5});
    }

    /**
     * The Java SIMD path runs the kept tokens without copies and a row of 6 tokens without
     * repeating it: its sums do not depend on the row count, so the numbers still equal the full
     * pass bit for bit, for one kept token as for two.
     */
    @Test
    void forwardAtOnTheVectorPathEqualsTheFullPassWithoutPadding() throws Exception {
        assumeThat(VectorKernels.whyNot()).isNull();
        assertForwardAtEqualsTheFullPass(MoEFeedForward.Dispatch.SPARSE_VECTOR, new int[] {3, 5});
        assertForwardAtEqualsTheFullPass(MoEFeedForward.Dispatch.SPARSE_VECTOR, new int[] {5});
    }

    private static void assertForwardAtEqualsTheFullPass(
            MoEFeedForward.Dispatch dispatch, int[] keep) throws Exception {
        PackedBatch in = input(); // 1 row of 6 tokens
        for (int threads : new int[] {1, 2}) {
            try (MoiraiMoEModule m = MoiraiMoEModule.load(MODEL, null, dispatch, threads)) {
                Mixture alone = m.forwardAt(in, keep);
                for (PackedBatch b : List.of(in, in.repeat(40))) {
                    Mixture full = m.forward(b);
                    Mixture at = m.forwardAt(b, keep);
                    assertThat(at.tokens()).isEqualTo(b.rows() * keep.length);
                    double[] levels = {0.01, 0.5, 0.99};
                    float[] qa = new float[3];
                    float[] qf = new float[3];
                    float[] q1 = new float[3];
                    for (int r = 0; r < b.rows(); r += 13) {
                        for (int j = 0; j < keep.length; j++) {
                            for (int p = 0; p < 16; p++) {
                                int t = r * in.tokens() + keep[j];
                                int k = r * keep.length + j;
                                assertThat(at.mean(k, p))
                                        .as("%s row %d token %d step %d", dispatch, r, keep[j], p)
                                        .isEqualTo(full.mean(t, p))
                                        .isEqualTo(alone.mean(j, p));
                                at.quantiles(k, p, levels, qa, 0);
                                full.quantiles(t, p, levels, qf, 0);
                                alone.quantiles(j, p, levels, q1, 0);
                                assertThat(qa).containsExactly(qf);
                                assertThat(qa).containsExactly(q1);
                            }
                        }
                    }
                }
            }
        }
    }

    private static PackedBatch input() {
        float[][] s = new float[90][1];
        for (int t = 0; t < s.length; t++) {
            s[t][0] = (float) (10 + Math.sin(t / 3.0));
        }
        s[40][0] = Float.NaN;
        MoiraiMoEForecast f = new MoiraiMoEForecast(null, 64, 32, 1, 4);
        return f.convert(f.preprocess(List.<float[][]>of(s)));
    }
}
