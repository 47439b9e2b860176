package io.patchcast.models.calf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.module.FreedBuffers;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

class CalfTrainerTest {

    static final Path FIXTURES = CalfParityTest.FIXTURES;

    @Test
    void secondStepSeesFreshGradientsAndLeavesNoArraysBehind() throws Exception {
        CalfConfig c = CalfConfig.read(FIXTURES.resolve("config.json"));
        try (NDManager root = NDManager.newBaseManager();
                SafetensorsReader ts = SafetensorsReader.open(FIXTURES.resolve("train_step.safetensors"));
                SafetensorsReader we = SafetensorsReader.open(FIXTURES.resolve("word_embedding.safetensors"));
                CalfParameters p = CalfParameters.load(c, FIXTURES.resolve("model_unmerged.safetensors"), null,
                        root.newSubManager())) {
            float[] x = ts.floats("batch_x");
            float[] y = ts.floats("batch_y");
            float[] emb = we.floats("word_embedding");
            CalfTrainer t = new CalfTrainer(new CalfModel(p), emb, CmLoss.defaults(), 5e-4);
            t.step(x, y, 2, 3);
            int arrays = p.manager().getManagedArrays().size();
            Map<String, float[]> after1 = new LinkedHashMap<>();
            for (String n : p.names()) {
                after1.put(n, p.values(n));
            }
            CalfTrainer.StepResult second = t.step(x, y, 2, 3);
            assertThat(p.manager().getManagedArrays().size()).isEqualTo(arrays);

            // the same parameters loaded fresh: same loss and gradients, so nothing accumulated
            try (CalfParameters fresh = CalfParameters.of(c, after1, root.newSubManager())) {
                CalfTrainer.StepResult r = new CalfTrainer(new CalfModel(fresh), emb, CmLoss.defaults(), 5e-4)
                        .step(x, y, 2, 3);
                assertThat(second.total()).isCloseTo(r.total(), within(1e-6));
                assertThat(second.total()).isLessThan(ts.floats("loss.total")[0]); // one Adam step helped
                for (String n : r.gradients().keySet()) {
                    float[] a = second.gradients().get(n);
                    float[] b = r.gradients().get(n);
                    for (int i = 0; i < a.length; i++) {
                        assertThat(a[i]).as(n).isCloseTo(b[i], within(1e-5f + 1e-4f * Math.abs(b[i])));
                    }
                }
            }
        }
    }

    @Test
    void javaCollectingBuffersBetweenForwardAndBackwardChangesNothing() throws Exception {
        CalfConfig c = CalfConfig.read(FIXTURES.resolve("config.json"));
        try (NDManager root = NDManager.newBaseManager();
                SafetensorsReader ts = SafetensorsReader.open(FIXTURES.resolve("train_step.safetensors"));
                SafetensorsReader we = SafetensorsReader.open(FIXTURES.resolve("word_embedding.safetensors"))) {
            float[] x = ts.floats("batch_x");
            float[] y = ts.floats("batch_y");
            float[] emb = we.floats("word_embedding");
            Map<String, float[]> plain;
            try (CalfParameters p = CalfParameters.load(c, FIXTURES.resolve("model_unmerged.safetensors"), null,
                    root.newSubManager())) {
                plain = new CalfTrainer(new CalfModel(p), emb, CmLoss.defaults(), 5e-4).step(x, y, 2, 3).gradients();
            }
            List<ByteBuffer> poison = new ArrayList<>();
            try (CalfParameters p = CalfParameters.load(c, FIXTURES.resolve("model_unmerged.safetensors"), null,
                    root.newSubManager())) {
                CalfTrainer t = new CalfTrainer(new CalfModel(p), emb, CmLoss.defaults(), 5e-4);
                t.beforeBackward = () -> {
                    try {
                        poison.addAll(FreedBuffers.collectAndPoison(10_000));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                };
                Map<String, float[]> collected = t.step(x, y, 2, 3).gradients();
                assertThat(collected.keySet()).containsExactlyElementsOf(plain.keySet());
                for (String n : plain.keySet()) {
                    assertThat(collected.get(n)).as(n).containsExactly(plain.get(n));
                }
            }
            assertThat(poison).hasSize(20_000);
        }
    }

    @Test
    void lossKindsOnAHandCase() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {0f, 0.5f, -2f});
            NDArray z = m.zeros(a.getShape());
            assertThat(CmLoss.Kind.L1.apply(a, z).getFloat()).isCloseTo(2.5f / 3, within(1e-6f));
            assertThat(CmLoss.Kind.MSE.apply(a, z).getFloat()).isCloseTo(4.25f / 3, within(1e-6f));
            // smooth L1 (beta 1): 0, 0.5 * 0.25, 2 - 0.5
            assertThat(CmLoss.Kind.SMOOTH_L1.apply(a, z).getFloat()).isCloseTo(1.625f / 3, within(1e-6f));
        }
    }
}
