package io.patchcast.models.calf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

import io.patchcast.models.module.Scalars;

import java.util.Objects;

/**
 * Port of CALF {@code cmLoss} (utils/cmLoss.py), long-term variant (spec §5): task loss of the
 * time-branch forecast against the target, output-consistency loss between the two branches'
 * forecasts, and feature loss {@code sum_k 0.8^k loss(F_t[n-k], F_x[n-k])}, weighted.
 */
public record CmLoss(Kind task, Kind output, Kind feature, float taskW, float outputW, float featureW) {

    /** Decay of the feature-level weights from the last feature back to the embedding. */
    public static final float FEATURE_DECAY = 0.8f;

    /** {@code loss_dict} entries used by the long-term scripts; all mean-reduced. */
    public enum Kind {
        L1,
        SMOOTH_L1,
        MSE;

        public static Kind parse(String s) {
            return switch (s) {
                case "l1" -> L1;
                case "smooth_l1" -> SMOOTH_L1;
                case "mse" -> MSE;
                default -> throw new IllegalArgumentException(
                        "loss '" + s + "' is not one of l1, smooth_l1, mse");
            };
        }

        NDArray apply(NDArray a, NDArray b) {
            NDArray d = a.sub(b);
            return switch (this) {
                case L1 -> d.abs().mean();
                case MSE -> d.square().mean();
                case SMOOTH_L1 -> {
                    // nn.SmoothL1Loss(beta=1): 0.5 d^2 if |d| < 1 else |d| - 0.5
                    NDArray ad = d.abs();
                    yield NDArrays.where(ad.lt(1f), Scalars.mul(ad.square(), 0.5), Scalars.sub(ad, 0.5)).mean();
                }
            };
        }
    }

    public CmLoss {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(feature, "feature");
        if (taskW < 0 || outputW < 0 || featureW < 0) {
            throw new IllegalArgumentException(
                    String.format("loss weights must be >= 0, got %s %s %s", taskW, outputW, featureW));
        }
    }

    /** run.py defaults: l1 everywhere, task_w 1, output_w 1, feature_w 0.01. */
    public static CmLoss defaults() {
        return new CmLoss(Kind.L1, Kind.L1, Kind.L1, 1f, 1f, 0.01f);
    }

    /** The three unweighted losses and the weighted total, scalars in the outputs' manager. */
    public record Terms(NDArray task, NDArray output, NDArray feature, NDArray total) {}

    public Terms apply(CalfModel.Outputs out, NDArray target, int gptLayers) {
        NDArray time = out.get("outputs_time");
        NDArray taskLoss = task.apply(time, target);
        NDArray outputLoss = output.apply(time, out.get("outputs_text"));
        NDArray featureLoss = null;
        float w = 1f;
        for (int k = 0; k <= gptLayers; k++) {
            int j = gptLayers - k; // the tuples are zipped reversed: weight 1 on the last feature
            NDArray term =
                    Scalars.mul(feature.apply(out.get("features_time." + j), out.get("features_text." + j)), w);
            featureLoss = featureLoss == null ? term : featureLoss.add(term);
            w *= FEATURE_DECAY;
        }
        NDArray total =
                Scalars.mul(taskLoss, taskW)
                        .add(Scalars.mul(outputLoss, outputW))
                        .add(Scalars.mul(featureLoss, featureW));
        return new Terms(taskLoss, outputLoss, featureLoss, total);
    }
}
