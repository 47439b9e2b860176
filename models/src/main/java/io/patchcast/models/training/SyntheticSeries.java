package io.patchcast.models.training;

import java.util.SplittableRandom;

/**
 * Monitoring-like synthetic series, in the spirit of KernelSynth (Chronos, Ansari et al. 2024):
 * a random composition (sum and product) of approximate Gaussian-process samples from a kernel bank
 * (periodic at daily / weekly / sub-daily periods, smooth RBF, linear trend, random walk, white
 * noise), sampled with random Fourier features instead of a Cholesky factor, then augmented with
 * what metrics do: level shifts, spikes, bursts, heteroscedastic and heavy-tailed noise, counts,
 * clipping at zero, missing points, and a random affine change of units.
 *
 * <p>Sampling steps are 1 min, 5 min or 1 h, so the daily period is 1440, 288 or 24 points. Every
 * draw depends only on the generator passed in: the same seed gives the same series.
 */
public final class SyntheticSeries {

    /** Points per day for the sampling steps 1 min, 5 min, 1 h. */
    static final int[] PER_DAY = {1440, 288, 24};

    private SyntheticSeries() {}

    /** A series and its sampling step. */
    public record Sample(double[] values, long stepMillis) {}

    /** A series of {@code length} points; NaN marks a missing point. */
    public static double[] generate(SplittableRandom r, int length) {
        return sample(r, length).values();
    }

    /** As {@link #generate}, with the sampling step the series was drawn at. */
    public static Sample sample(SplittableRandom r, int length) {
        int perDay = PER_DAY[r.nextInt(PER_DAY.length)];
        double phase = r.nextDouble() * perDay * 7; // random start in the week
        double[] x = kernelSample(r, length, perDay, phase);
        x = augment(r, x, perDay);
        return new Sample(x, 86_400_000L / perDay);
    }

    /** A random composition of 1 to 3 kernel samples (+ or x), KernelSynth-style. */
    static double[] kernelSample(SplittableRandom r, int n, int perDay, double phase) {
        double[] acc = component(r, n, perDay, phase);
        int extra = r.nextInt(3);
        for (int k = 0; k < extra; k++) {
            double[] c = component(r, n, perDay, phase);
            if (r.nextDouble() < 0.3) {
                // product: modulate by a positive version of c (e.g. weekly amplitude of daily cycle)
                double min = min(c);
                double max = max(c);
                double span = max - min + 1e-9;
                for (int i = 0; i < n; i++) {
                    acc[i] *= 0.5 + (c[i] - min) / span;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    acc[i] += c[i];
                }
            }
        }
        return acc;
    }

    /** One sample of a kernel from the bank. */
    static double[] component(SplittableRandom r, int n, int perDay, double phase) {
        double[] y = new double[n];
        int kind = r.nextInt(10);
        double amp = Math.exp(r.nextGaussian() * 0.7);
        switch (kind) {
            case 0, 1, 2 -> periodic(r, y, perDay, phase, amp); // daily
            case 3 -> periodic(r, y, perDay * 7.0, phase, amp); // weekly
            case 4 -> periodic(r, y, perDay / (double) (2 + r.nextInt(4)), phase, amp); // sub-daily
            case 5, 6 -> { // smooth RBF process: random Fourier features
                double len = n * Math.exp(-1 - 2.5 * r.nextDouble());
                int m = 12;
                for (int j = 0; j < m; j++) {
                    double w = r.nextGaussian() / len;
                    double b = r.nextDouble() * 2 * Math.PI;
                    double a = amp * Math.sqrt(2.0 / m) * r.nextGaussian();
                    for (int i = 0; i < n; i++) {
                        y[i] += a * Math.cos(w * (i + phase) + b);
                    }
                }
            }
            case 7 -> { // linear trend (dot-product kernel)
                double slope = r.nextGaussian() * amp / n * 3;
                for (int i = 0; i < n; i++) {
                    y[i] = slope * i;
                }
            }
            case 8 -> { // random walk (Brownian kernel)
                double s = amp / Math.sqrt(n) * 2;
                double v = 0;
                for (int i = 0; i < n; i++) {
                    v += s * r.nextGaussian();
                    y[i] = v;
                }
            }
            default -> { // white noise kernel (its own level)
                for (int i = 0; i < n; i++) {
                    y[i] = 0.3 * amp * r.nextGaussian();
                }
            }
        }
        return y;
    }

    /** Periodic kernel sample: a few harmonics with decaying random coefficients. */
    static void periodic(SplittableRandom r, double[] y, double period, double phase, double amp) {
        int harmonics = 1 + r.nextInt(5);
        double smooth = 0.5 + r.nextDouble() * 1.5;
        for (int h = 1; h <= harmonics; h++) {
            double a = amp * r.nextGaussian() / Math.pow(h, smooth);
            double b = amp * r.nextGaussian() / Math.pow(h, smooth);
            double w = 2 * Math.PI * h / period;
            for (int i = 0; i < y.length; i++) {
                double t = w * (i + phase);
                y[i] += a * Math.sin(t) + b * Math.cos(t);
            }
        }
    }

    /** Metric-like augmentation of a clean kernel sample. */
    static double[] augment(SplittableRandom r, double[] x, int perDay) {
        int n = x.length;
        double sd = Math.max(std(x), 1e-3);
        // noise: Gaussian, heavy-tailed (Student-t 3), or heteroscedastic (grows with the level)
        double noise = sd * Math.exp(-2.5 + 2 * r.nextDouble());
        int noiseKind = r.nextInt(3);
        double min = min(x);
        for (int i = 0; i < n; i++) {
            double e = r.nextGaussian();
            if (noiseKind == 1) {
                e = studentT3(r);
            } else if (noiseKind == 2) {
                e *= 0.3 + (x[i] - min) / sd;
            }
            x[i] += noise * e;
        }
        if (r.nextDouble() < 0.3) { // level shifts
            int shifts = 1 + r.nextInt(3);
            for (int s = 0; s < shifts; s++) {
                int at = r.nextInt(n);
                double d = sd * r.nextGaussian() * 1.5;
                for (int i = at; i < n; i++) {
                    x[i] += d;
                }
            }
        }
        if (r.nextDouble() < 0.3) { // isolated spikes
            int spikes = 1 + r.nextInt(Math.max(1, n / 200));
            for (int s = 0; s < spikes; s++) {
                x[r.nextInt(n)] += sd * (2 + 6 * r.nextDouble()) * (r.nextDouble() < 0.8 ? 1 : -1);
            }
        }
        if (r.nextDouble() < 0.2) { // bursts: a raised, noisier stretch
            int len = 1 + r.nextInt(Math.max(2, perDay / 8));
            int at = r.nextInt(n);
            double lift = sd * (1 + 3 * r.nextDouble());
            for (int i = at; i < Math.min(n, at + len); i++) {
                x[i] += lift * (0.5 + r.nextDouble());
            }
        }
        // units: positive level most of the time (utilisation, bytes, requests)
        double level = r.nextDouble() < 0.8 ? -min(x) + sd * r.nextDouble() * 3 : 0;
        double unit = Math.exp(r.nextGaussian() * 3);
        boolean counts = r.nextDouble() < 0.2;
        boolean clip = !counts && r.nextDouble() < 0.3;
        if (counts) {
            unit = Math.exp(r.nextDouble() * 4) / Math.max(sd, 1e-9) * 0.3; // small counts, 0..~50
        }
        for (int i = 0; i < n; i++) {
            double v = (x[i] + level) * unit;
            if (counts) {
                v = poisson(r, Math.max(v, 0));
            } else if (clip) {
                v = Math.max(v, 0);
            }
            x[i] = v;
        }
        if (r.nextDouble() < 0.2) { // missing points: scattered and one gap
            double p = r.nextDouble() * 0.05;
            for (int i = 0; i < n; i++) {
                if (r.nextDouble() < p) {
                    x[i] = Double.NaN;
                }
            }
            int gap = r.nextInt(Math.max(1, n / 20));
            int at = r.nextInt(n);
            for (int i = at; i < Math.min(n, at + gap); i++) {
                x[i] = Double.NaN;
            }
        }
        return x;
    }

    static double studentT3(SplittableRandom r) {
        double z = r.nextGaussian();
        double c = 0;
        for (int k = 0; k < 3; k++) {
            double g = r.nextGaussian();
            c += g * g;
        }
        return z / Math.sqrt(c / 3);
    }

    /** Poisson draw (Knuth for small means, normal approximation above 50). */
    static double poisson(SplittableRandom r, double mean) {
        if (mean > 50) {
            return Math.max(0, Math.round(mean + Math.sqrt(mean) * r.nextGaussian()));
        }
        double l = Math.exp(-mean);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    static double std(double[] x) {
        double m = 0;
        for (double v : x) {
            m += v;
        }
        m /= x.length;
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / x.length);
    }

    static double min(double[] x) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : x) {
            m = Math.min(m, v);
        }
        return m;
    }

    static double max(double[] x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            m = Math.max(m, v);
        }
        return m;
    }
}
