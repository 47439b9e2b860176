package io.patchcast.models.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.patchcast.models.moiraimoe.CausalMeanValueImputation;
import io.patchcast.models.moiraimoe.PackedBatch;
import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Pretraining loop for {@link TrainableMoiraiMoE} on {@link SyntheticSeries}: each step draws a
 * batch of random crops (2..max context patches followed by 1..max predicted patches, prediction
 * mask on the latter so the scaler ignores them, as uni2ts pretraining does), takes the mixture NLL
 * of every next patch (the output at token t predicts token t+1, decoder-only as Moirai-MoE), and
 * applies AdamW (decoupled weight decay on matrices) with warm-up + cosine decay and global-norm
 * gradient clipping.
 *
 * <p>Each step replaces every parameter by a fresh leaf tensor holding its new value, so no
 * gradient survives into the next step (zeroing in place cannot clear an infinite gradient:
 * inf - inf is NaN, and one overflowing batch would poison every later step).
 *
 * <p>The batch of step s depends only on (seed, s), and checkpoints hold parameters and Adam
 * moments exactly, so a resumed run repeats the uninterrupted one.
 */
public final class Trainer implements AutoCloseable {

    static final int P = 16;
    static final double ADAM_EPS = 1e-8;
    /** Largest |scaled target| that counts in the loss. */
    static final float MAX_SCALED = 1000f;

    private final Recipe recipe;
    private final TrainableMoiraiMoE model;
    private final MixtureNll nll = new MixtureNll(1e-3);
    private final Map<String, NDArray> m1 = new LinkedHashMap<>();
    private final Map<String, NDArray> m2 = new LinkedHashMap<>();
    private long step;
    private double lastLoss = Double.NaN;
    private long skipped;
    /** Runs between forward and backward; tests make Java collect its buffers there. */
    Runnable beforeBackward = () -> {};

    private Trainer(Recipe recipe, TrainableMoiraiMoE model, long step) {
        this.recipe = recipe;
        this.model = model;
        this.step = step;
    }

    /** A fresh run of {@code recipe} on {@code device}. */
    public static Trainer start(Recipe recipe, Device device) {
        TrainableMoiraiMoE m = TrainableMoiraiMoE.init(recipe.dModel(), recipe.dFf(), recipe.layers(),
                recipe.seed(), device);
        Trainer t = new Trainer(recipe, m, 0);
        for (Map.Entry<String, NDArray> e : m.parameters().entrySet()) {
            t.m1.put(e.getKey(), m.manager().zeros(e.getValue().getShape()));
            t.m2.put(e.getKey(), m.manager().zeros(e.getValue().getShape()));
        }
        return t;
    }

    public TrainableMoiraiMoE model() {
        return model;
    }

    public Recipe recipe() {
        return recipe;
    }

    /** Steps done so far. */
    public long stepsDone() {
        return step;
    }

    /** Steps whose loss or gradient was not finite (no update). */
    public long skippedSteps() {
        return skipped;
    }

    /** Loss of the latest step. */
    public double lastLoss() {
        return lastLoss;
    }

    /** The training batch of step {@code s}: crops of fresh synthetic series. */
    public static PackedBatch batch(Recipe recipe, long s) {
        SplittableRandom r = new SplittableRandom(recipe.seed() * 0x9E3779B97F4A7C15L + s);
        int ctx = 2 + r.nextInt(recipe.maxContextTokens() - 1);
        int pred = 1 + r.nextInt(recipe.maxPredictionTokens());
        int l = ctx + pred;
        int n = recipe.batchSize();
        float[] target = new float[n * l * P];
        boolean[] observed = new boolean[n * l * P];
        long[] sampleId = new long[n * l];
        long[] timeId = new long[n * l];
        long[] variateId = new long[n * l];
        boolean[] predMask = new boolean[n * l];
        for (int b = 0; b < n; b++) {
            double[] x = SyntheticSeries.generate(r.split(), l * P);
            float[] f = new float[x.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) x[i];
                observed[b * l * P + i] = !Double.isNaN(x[i]);
            }
            System.arraycopy(CausalMeanValueImputation.impute(f), 0, target, b * l * P, f.length);
            for (int k = 0; k < l; k++) {
                sampleId[b * l + k] = 1;
                timeId[b * l + k] = k;
                predMask[b * l + k] = k >= ctx;
            }
        }
        return new PackedBatch(n, l, target, observed, sampleId, timeId, variateId, predMask);
    }

    /** Mean NLL of every observed next patch of {@code in} (scaled), in {@code call}. */
    NDArray loss(NDManager call, PackedBatch in) {
        TrainableMoiraiMoE.Scaled s = TrainableMoiraiMoE.scale(in);
        NDArray raw = model.raw(call, in, s); // (N*L, 192)
        int n = in.rows();
        int l = in.tokens();
        NDArray pred = raw.reshape(n, l, -1).get(":, 0:" + (l - 1) + ", :").reshape(n * (l - 1), -1);
        float[] y = new float[n * (l - 1) * P];
        float[] mask = new float[y.length];
        for (int b = 0; b < n; b++) {
            for (int k = 1; k < l; k++) {
                for (int p = 0; p < P; p++) {
                    int src = (b * l + k) * P + p;
                    int dst = (b * (l - 1) + k - 1) * P + p;
                    // targets beyond MAX_SCALED standard deviations of the context (e.g. after a
                    // constant context, whose scale is sqrt(1e-5)) are left out: their gradients
                    // overflow float32 and they teach nothing about typical patches
                    if (in.observedMask()[src] && Math.abs(s.x()[src]) <= MAX_SCALED) {
                        y[dst] = s.x()[src];
                        mask[dst] = 1f;
                    }
                }
            }
        }
        Shape shape = new Shape(n * (l - 1), P);
        return nll.mean(pred, call.create(y, shape), call.create(mask, shape));
    }

    /** Loss of the current parameters on {@code in}, without gradients. */
    public double evaluate(PackedBatch in) {
        try (NDManager call = model.manager().newSubManager()) {
            return loss(call, in).getFloat();
        }
    }

    /** One optimiser step; returns its loss (before the update). */
    public double trainStep() {
        PackedBatch in = batch(recipe, step);
        Map<String, NDArray> params = model.parameters();
        try (NDManager call = model.manager().newSubManager()) {
            double loss;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray l = loss(call, in);
                beforeBackward.run();
                gc.backward(l);
                loss = l.getFloat();
            }
            // every temporary below is created in `call` (DJL attaches results to the first
            // operand's manager), so nothing accumulates in the long-lived parameter manager
            NDArray[] grads = new NDArray[params.size()];
            NDArray sqSum = call.zeros(new Shape());
            int gi = 0;
            for (NDArray p : params.values()) {
                NDArray g = p.getGradient();
                g.attach(call);
                grads[gi++] = g;
                sqSum = sqSum.add(call.ones(new Shape()).mul(g).square().sum());
            }
            double sq = sqSum.getFloat();
            if (!Double.isFinite(loss) || !Double.isFinite(sq)) {
                // a non-finite batch leaves the parameters and moments as they are
                for (String k : model.keys()) {
                    model.replace(k, params.get(k));
                }
                skipped++;
                step++;
                return loss;
            }
            double coef = Math.min(1.0, recipe.clip() / (Math.sqrt(sq) + 1e-6));
            double lr = recipe.learningRate(step);
            long t = step + 1;
            double bc1 = 1 - Math.pow(recipe.beta1(), t);
            double bc2 = 1 - Math.pow(recipe.beta2(), t);
            gi = 0;
            for (Map.Entry<String, NDArray> e : new LinkedHashMap<>(params).entrySet()) {
                NDArray p = e.getValue();
                NDArray g = call.create((float) coef).mul(grads[gi++]);
                NDArray a = m1.get(e.getKey());
                NDArray v = m2.get(e.getKey());
                a.muli((float) recipe.beta1()).addi(g.mul((float) (1 - recipe.beta1())));
                v.muli((float) recipe.beta2()).addi(g.square().mul((float) (1 - recipe.beta2())));
                NDArray denom = call.create((float) (1 / bc2)).mul(v).sqrt().add((float) ADAM_EPS);
                NDArray update = call.create((float) (1 / bc1)).mul(a).div(denom);
                if (TrainableMoiraiMoE.decays(e.getKey())) {
                    update = update.add(call.create((float) recipe.weightDecay()).mul(p));
                }
                model.replace(e.getKey(), p.sub(update.mul((float) lr)));
            }
            lastLoss = loss;
            step++;
            return loss;
        }
    }

    /** Writes a resumable checkpoint (parameters, Adam moments, step, recipe) to {@code file}. */
    public void save(Path file) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        model.saveState(w);
        for (String k : model.keys()) {
            w.putF32("adam.m." + k, m1.get(k).toFloatArray(), m1.get(k).getShape().getShape());
            w.putF32("adam.v." + k, m2.get(k).toFloatArray(), m2.get(k).getShape().getShape());
        }
        w.putI64("step", new long[] {step}, 1);
        w.putMetadata("recipe", new ObjectMapper().writeValueAsString(recipe));
        w.putMetadata("last_loss", Double.toString(lastLoss));
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        w.write(file);
    }

    /** Continues a run saved by {@link #save}. */
    public static Trainer resume(Path file, Device device) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            Recipe recipe = new ObjectMapper().readValue(r.metadata().get("recipe"), Recipe.class);
            TrainableMoiraiMoE m = TrainableMoiraiMoE.loadState(r, device);
            Trainer t = new Trainer(recipe, m, r.longs("step")[0]);
            t.lastLoss = Double.parseDouble(r.metadata().getOrDefault("last_loss", "NaN"));
            for (Map.Entry<String, NDArray> e : m.parameters().entrySet()) {
                Shape s = e.getValue().getShape();
                t.m1.put(e.getKey(), m.manager().create(r.floats("adam.m." + e.getKey()), s));
                t.m2.put(e.getKey(), m.manager().create(r.floats("adam.v." + e.getKey()), s));
            }
            return t;
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
