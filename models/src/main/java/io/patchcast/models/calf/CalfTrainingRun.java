package io.patchcast.models.calf;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * CALF's epoch loop (exp/exp_long_term_forecasting.py::train, spec §6): shuffled mini-batches with
 * drop_last, one {@link CalfTrainer#step} per batch, model_optim's learning rate on
 * CosineAnnealingLR(T_max = tmax, eta_min = 1e-8) stepped once per epoch. No early stopping here:
 * the caller picks the epochs.
 */
public final class CalfTrainingRun {

    /** CosineAnnealingLR eta_min in exp_long_term_forecasting.py. */
    public static final double ETA_MIN = 1e-8;

    private CalfTrainingRun() {}

    /** Mean total loss per epoch over windows starting in [from, to - L - H]. */
    public static List<Double> train(
            CalfTrainer trainer, CalfWindows w, int from, int to, int epochs, int batch, double lr, int tmax,
            long seed) {
        int n = w.count(from, to);
        if (n < batch) {
            throw new IllegalArgumentException(
                    String.format(
                            "%d training windows (seq_len %d + pred_len %d) are fewer than one batch of %d",
                            n, w.seqLen(), w.predLen(), batch));
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = from + i;
        }
        int lx = w.seqLen() * w.channels();
        int ly = w.predLen() * w.channels();
        float[] x = new float[batch * lx];
        float[] y = new float[batch * ly];
        List<Double> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            trainer.setLearningRate(ETA_MIN + (lr - ETA_MIN) * (1 + Math.cos(Math.PI * e / tmax)) / 2);
            for (int i = n - 1; i > 0; i--) { // Fisher-Yates
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double sum = 0;
            int steps = n / batch;
            for (int s = 0; s < steps; s++) {
                for (int b = 0; b < batch; b++) {
                    w.x(order[s * batch + b], x, b * lx);
                    w.y(order[s * batch + b], y, b * ly);
                }
                sum += trainer.step(x, y, batch, w.channels()).total();
            }
            out.add(sum / steps);
        }
        return out;
    }
}
