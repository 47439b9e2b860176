package io.patchcast.models.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import io.patchcast.models.distribution.DistrParamProj;
import io.patchcast.models.moiraimoe.MoiraiMoEModule;
import io.patchcast.models.moiraimoe.PackedBatch;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.patchcast.models.module.FreedBuffers;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainableMoiraiMoETest {

    @TempDir
    Path tmp;

    static Recipe tiny(int steps) {
        return new Recipe(64, 32, 2, 8, 4, 2, 3e-3, 0.1, 2, steps, 0.01, 0.9, 0.98, 1.0, 7);
    }

    @Test
    void trainingForwardEqualsInferenceForwardOfTheSavedCheckpoint() throws Exception {
        try (Trainer t = Trainer.start(tiny(10), Device.cpu())) {
            for (int i = 0; i < 3; i++) {
                t.trainStep(); // move away from the initialisation (non-zero head biases, norms != 1)
            }
            TrainableMoiraiMoE model = t.model();
            model.saveReleased(tmp);
            PackedBatch in = Trainer.batch(t.recipe(), 99);
            float[] trainRaw;
            try (NDManager call = model.manager().newSubManager()) {
                trainRaw = model.raw(call, in, TrainableMoiraiMoE.scale(in)).toFloatArray();
            }
            Map<String, float[]> rec = new HashMap<>();
            try (MoiraiMoEModule inf = MoiraiMoEModule.load(tmp, Device.cpu())) {
                inf.forward(in, (name, values, shape) -> rec.put(name, values));
            }
            int tokens = in.rows() * in.tokens();
            double maxDiff = 0;
            for (int k = 0; k < DistrParamProj.LEAVES.length; k++) {
                float[] leaf = rec.get("raw." + DistrParamProj.LEAVES[k]);
                int w = DistrParamProj.width(k);
                int o = DistrParamProj.offset(k);
                for (int i = 0; i < tokens; i++) {
                    for (int j = 0; j < w; j++) {
                        maxDiff = Math.max(maxDiff, Math.abs(leaf[i * w + j] - trainRaw[i * DistrParamProj.RAW + o + j]));
                    }
                }
            }
            assertThat(maxDiff).isLessThan(1e-5);
        }
    }

    @Test
    void lossDecreasesOnHeldOutBatch() {
        try (Trainer t = Trainer.start(tiny(40), Device.cpu())) {
            PackedBatch held = Trainer.batch(new Recipe(64, 32, 2, 16, 4, 2, 3e-3, 0.1, 2, 40, 0.01, 0.9, 0.98,
                    1.0, 12345), 0);
            double before = t.evaluate(held);
            for (int i = 0; i < 40; i++) {
                assertThat(t.trainStep()).isFinite();
            }
            double after = t.evaluate(held);
            assertThat(after).isLessThan(before - 0.2);
        }
    }

    @Test
    void resumedRunEqualsUninterruptedRun() throws Exception {
        float[] straight;
        double straightLoss;
        try (Trainer t = Trainer.start(tiny(4), Device.cpu())) {
            for (int i = 0; i < 4; i++) {
                t.trainStep();
            }
            straight = flat(t.model());
            straightLoss = t.lastLoss();
        }
        Path ckpt = tmp.resolve("ckpt.safetensors");
        try (Trainer t = Trainer.start(tiny(4), Device.cpu())) {
            t.trainStep();
            t.trainStep();
            t.save(ckpt);
        }
        try (Trainer t = Trainer.resume(ckpt, Device.cpu())) {
            assertThat(t.stepsDone()).isEqualTo(2);
            t.trainStep();
            t.trainStep();
            assertThat(t.lastLoss()).isEqualTo(straightLoss);
            float[] resumed = flat(t.model());
            assertThat(resumed).containsExactly(straight);
        }
    }

    @Test
    void javaCollectingBuffersBetweenForwardAndBackwardChangesNothing() throws Exception {
        float[] plain;
        try (Trainer t = Trainer.start(tiny(3), Device.cpu())) {
            for (int i = 0; i < 3; i++) {
                t.trainStep();
            }
            plain = flat(t.model());
        }
        List<ByteBuffer> poison = new ArrayList<>();
        try (Trainer t = Trainer.start(tiny(3), Device.cpu())) {
            t.beforeBackward = () -> {
                try {
                    poison.addAll(FreedBuffers.collectAndPoison(5_000));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            };
            for (int i = 0; i < 3; i++) {
                assertThat(t.trainStep()).isFinite();
            }
            assertThat(t.skippedSteps()).isZero();
            assertThat(flat(t.model())).containsExactly(plain);
        }
        assertThat(poison).hasSize(3 * 10_000);
    }

    static float[] flat(TrainableMoiraiMoE m) {
        int n = (int) m.parameterCount();
        float[] out = new float[n];
        int o = 0;
        for (NDArray a : m.parameters().values()) {
            float[] v = a.toFloatArray();
            System.arraycopy(v, 0, out, o, v.length);
            o += v.length;
        }
        return out;
    }
}
