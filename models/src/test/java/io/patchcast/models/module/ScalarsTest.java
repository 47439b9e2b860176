package io.patchcast.models.module;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The scalar of each op must outlive the forward pass: Java collects its buffers between forward
 * and backward here, and their memory is handed out again full of NaN. DJL's own {@code
 * x.mul(3f)} fails this (NaN or garbage gradients, seen in every round when tried).
 */
class ScalarsTest {

    @Test
    void gradientsSurviveCollectionOfJavaBuffers() throws Exception {
        check(x -> Scalars.mul(x, 3f), new float[] {3f, 3f, 3f});
        check(x -> Scalars.div(x, 4f), new float[] {0.25f, 0.25f, 0.25f});
        check(x -> Scalars.pow(x, 2f), new float[] {2f, 4f, 6f});
        check(x -> Scalars.maximum(x, 2f), new float[] {0f, 0.5f, 1f}); // tie at 2 splits the gradient
        check(x -> Scalars.minimum(x, 2f), new float[] {1f, 0.5f, 0f});
        check(x -> Scalars.sub(Scalars.add(x, 1f), 5f), new float[] {1f, 1f, 1f});
    }

    @Test
    void resultsEqualDjlsFormBitForBit() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.create(new float[] {0.1f, -2.5f, 7.3f, 1e-20f});
            assertThat(Scalars.mul(x, 0.044715f).toFloatArray()).containsExactly(x.mul(0.044715f).toFloatArray());
            assertThat(Scalars.div(x, 3f).toFloatArray()).containsExactly(x.div(3f).toFloatArray());
            assertThat(Scalars.add(x, 1e-5f).toFloatArray()).containsExactly(x.add(1e-5f).toFloatArray());
            assertThat(Scalars.maximum(x, 1e-30f).toFloatArray()).containsExactly(x.maximum(1e-30f).toFloatArray());
            assertThat(Scalars.pow(x, 3).toFloatArray()).containsExactly(x.pow(3).toFloatArray());
        }
    }

    private static void check(UnaryOperator<NDArray> op, float[] expectedGradient) throws Exception {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (int round = 0; round < 3; round++) {
                NDArray x = m.create(new float[] {1f, 2f, 3f});
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray y = op.apply(x).sum();
                    List<ByteBuffer> poison = FreedBuffers.collectAndPoison(10_000);
                    gc.backward(y);
                    assertThat(x.getGradient().toFloatArray()).as("round %d, %d buffers", round, poison.size())
                            .containsExactly(expectedGradient);
                }
            }
        }
    }
}
