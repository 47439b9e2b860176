package io.patchcast.models.calf;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Port of CALF's training step (exp/exp_long_term_forecasting.py::train, spec §5–6) on DJL autograd:
 * forward of both branches, {@link CmLoss}, backward, then {@code model_optim.step()} (Adam, lr =
 * learning_rate, trainable parameters without {@code _proj} in their name) and {@code
 * loss_optim.step()} (Adam, lr 1e-4 unless given, the others). Dropouts are identity (p = 0), as
 * in the parity fixtures; frozen parameters (spec §4) get no gradient.
 *
 * <p>Not thread-safe: DJL allows one gradient collector at a time.
 */
public final class CalfTrainer {

    /** exp_long_term_forecasting.py: loss_optim's fixed learning rate. */
    public static final double LOSS_OPTIM_LR = 1e-4;

    private final CalfModel model;
    private final CalfParameters params;
    private final float[] wordEmbedding; // (P, D)
    private final CmLoss loss;
    private double learningRate;
    private final double lossLearningRate;
    private final Map<String, Adam> optimisers = new LinkedHashMap<>();
    /** Runs between forward and backward; tests make Java collect its buffers there. */
    Runnable beforeBackward = () -> {};

    public CalfTrainer(CalfModel model, float[] wordEmbedding, CmLoss loss, double learningRate) {
        this(model, wordEmbedding, loss, learningRate, LOSS_OPTIM_LR);
    }

    /** As above, with loss_optim's learning rate (the projections) given too. */
    public CalfTrainer(
            CalfModel model,
            float[] wordEmbedding,
            CmLoss loss,
            double learningRate,
            double lossLearningRate) {
        if (!(lossLearningRate > 0)) {
            throw new IllegalArgumentException(
                    "loss_optim learning rate must be positive, got " + lossLearningRate);
        }
        this.lossLearningRate = lossLearningRate;
        this.model = model;
        this.params = model.params();
        if (!params.textBranch()) {
            throw new IllegalArgumentException("training needs the text branch (gpt2_text, cross-attention, projections)");
        }
        CalfConfig c = params.config();
        if (wordEmbedding.length != c.nPca() * c.dModel()) {
            throw new IllegalArgumentException(
                    String.format(
                            "word embedding has %d values, expected n_pca %d x d_model %d",
                            wordEmbedding.length, c.nPca(), c.dModel()));
        }
        this.wordEmbedding = wordEmbedding;
        this.loss = loss;
        this.learningRate = learningRate;
        for (String name : params.names()) {
            if (CalfParameters.trainable(name)) {
                NDArray p = params.get(name);
                p.setRequiresGradient(true);
                optimisers.put(name, new Adam((int) p.size()));
            }
        }
    }

    /** model_optim's learning rate from now on (the cosine schedule steps it once per epoch). */
    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    /** Trainable canonical names, model_optim's first. */
    public List<String> trainableNames() {
        return new ArrayList<>(optimisers.keySet());
    }

    /** The losses and every gradient (canonical name, checkpoint orientation) of one step. */
    public record StepResult(
            double task, double output, double feature, double total, Map<String, float[]> gradients) {}

    /**
     * One optimisation step on x (B, L, M) and y (B, H, M), both row-major; the parameters are
     * updated in place.
     */
    public StepResult step(float[] x, float[] y, int batch, int variates) {
        CalfConfig c = params.config();
        Map<String, float[]> grads = new LinkedHashMap<>();
        double[] terms = new double[4];
        try (NDManager call = params.manager().newSubManager()) {
            NDArray xs = call.create(x, new Shape(batch, c.seqLen(), variates));
            NDArray ys = call.create(y, new Shape(batch, c.predLen(), variates));
            NDArray we = call.create(wordEmbedding, new Shape(c.nPca(), c.dModel()));
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                CalfModel.Outputs out = model.forward(xs, we);
                CmLoss.Terms t = loss.apply(out, ys, c.gptLayers());
                beforeBackward.run();
                gc.backward(t.total());
                terms[0] = t.task().getFloat();
                terms[1] = t.output().getFloat();
                terms[2] = t.feature().getFloat();
                terms[3] = t.total().getFloat();
            }
            for (String name : optimisers.keySet()) {
                NDArray p = params.get(name);
                NDArray g = p.getGradient();
                g.attach(call);
                float[] gv = g.toFloatArray();
                g.subi(g); // torch accumulates into .grad; zero_grad for the next step
                grads.put(name, CalfParameters.checkpointOrientation(name, g.getShape(), gv));
                float[] pv = p.toFloatArray();
                double lr = CalfParameters.lossOptimGroup(name) ? lossLearningRate : learningRate;
                optimisers.get(name).update(pv, gv, lr);
                p.set(pv);
            }
        }
        return new StepResult(terms[0], terms[1], terms[2], terms[3], grads);
    }
}
