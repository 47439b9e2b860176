package io.patchcast.models.distribution;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Port of uni2ts {@code Mixture} (src/uni2ts/distribution/mixture.py) of the four Moirai-MoE
 * components, wrapped in {@code AffineTransformed(loc, scale)} from the scaler: per token and patch
 * position an independent mixture {@code y = loc + scale * x} (spec §8). Plain Java arrays; this
 * object owns them.
 *
 * <p>Glossary: T tokens (N*L flattened), P = 16 patch positions, C = 4 components. Index {@code i =
 * t * P + p}.
 */
public final class Mixture {

    public static final int PATCH = 16;
    public static final int COMPONENTS = 4;

    /** Bracket width (relative, normalized units) at which quantile inversion stops. */
    static final double QUANTILE_TOL = 1e-8;

    final int tokens;
    final float[] weightsLogits; // (T, P, C)
    final float[] df; // (T, P) Student-T
    final float[] tLoc;
    final float[] tScale;
    final float[] nLoc; // (T, P) Normal, fixed scale
    final double normalScale;
    final float[] totalCount; // (T, P) NegBin
    final float[] nbLogits;
    final float[] lnLoc; // (T, P) LogNormal
    final float[] lnScale;
    final float[] loc; // (T) affine
    final float[] scale; // (T)

    public Mixture(
            int tokens,
            float[] weightsLogits,
            float[] df,
            float[] tLoc,
            float[] tScale,
            float[] nLoc,
            double normalScale,
            float[] totalCount,
            float[] nbLogits,
            float[] lnLoc,
            float[] lnScale,
            float[] loc,
            float[] scale) {
        this.tokens = tokens;
        this.weightsLogits = weightsLogits;
        this.df = df;
        this.tLoc = tLoc;
        this.tScale = tScale;
        this.nLoc = nLoc;
        this.normalScale = normalScale;
        this.totalCount = totalCount;
        this.nbLogits = nbLogits;
        this.lnLoc = lnLoc;
        this.lnScale = lnScale;
        this.loc = loc;
        this.scale = scale;
    }

    /** Token-wise concatenation of mixtures with the same normal scale. */
    public static Mixture concat(java.util.List<Mixture> parts) {
        int t = 0;
        for (Mixture m : parts) {
            t += m.tokens;
        }
        int tp = t * PATCH;
        Mixture first = parts.get(0);
        Mixture out =
                new Mixture(
                        t,
                        new float[tp * COMPONENTS],
                        new float[tp],
                        new float[tp],
                        new float[tp],
                        new float[tp],
                        first.normalScale,
                        new float[tp],
                        new float[tp],
                        new float[tp],
                        new float[tp],
                        new float[t],
                        new float[t]);
        int o = 0;
        for (Mixture m : parts) {
            int n = m.tokens * PATCH;
            System.arraycopy(m.weightsLogits, 0, out.weightsLogits, o * COMPONENTS, n * COMPONENTS);
            System.arraycopy(m.df, 0, out.df, o, n);
            System.arraycopy(m.tLoc, 0, out.tLoc, o, n);
            System.arraycopy(m.tScale, 0, out.tScale, o, n);
            System.arraycopy(m.nLoc, 0, out.nLoc, o, n);
            System.arraycopy(m.totalCount, 0, out.totalCount, o, n);
            System.arraycopy(m.nbLogits, 0, out.nbLogits, o, n);
            System.arraycopy(m.lnLoc, 0, out.lnLoc, o, n);
            System.arraycopy(m.lnScale, 0, out.lnScale, o, n);
            System.arraycopy(m.loc, 0, out.loc, o / PATCH, m.tokens);
            System.arraycopy(m.scale, 0, out.scale, o / PATCH, m.tokens);
            o += n;
        }
        return out;
    }

    /** The mixture of the first {@code t} tokens only (copies). */
    public Mixture firstTokens(int t) {
        int tp = t * PATCH;
        return new Mixture(
                t,
                Arrays.copyOf(weightsLogits, tp * COMPONENTS),
                Arrays.copyOf(df, tp),
                Arrays.copyOf(tLoc, tp),
                Arrays.copyOf(tScale, tp),
                Arrays.copyOf(nLoc, tp),
                normalScale,
                Arrays.copyOf(totalCount, tp),
                Arrays.copyOf(nbLogits, tp),
                Arrays.copyOf(lnLoc, tp),
                Arrays.copyOf(lnScale, tp),
                Arrays.copyOf(loc, t),
                Arrays.copyOf(scale, t));
    }

    public int tokens() {
        return tokens;
    }

    /** Named parameter arrays, for parity checks: (T, P) or (T, P, C) for weights_logits. */
    public float[] param(String name) {
        return switch (name) {
            case "weights_logits" -> weightsLogits;
            case "c0_student_t.df" -> df;
            case "c0_student_t.loc" -> tLoc;
            case "c0_student_t.scale" -> tScale;
            case "c1_normal_fixed_scale.loc" -> nLoc;
            case "c2_negative_binomial.total_count" -> totalCount;
            case "c2_negative_binomial.logits" -> nbLogits;
            case "c3_log_normal.loc" -> lnLoc;
            case "c3_log_normal.scale" -> lnScale;
            default -> throw new IllegalArgumentException("no mixture parameter " + name);
        };
    }

    public float loc(int t) {
        return loc[t];
    }

    public float scale(int t) {
        return scale[t];
    }

    /** Component probabilities softmax(weights_logits) at i, float32 like torch. */
    private float[] probs(int i) {
        int o = i * COMPONENTS;
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < COMPONENTS; c++) {
            max = Math.max(max, weightsLogits[o + c]);
        }
        float[] e = new float[COMPONENTS];
        float sum = 0f;
        for (int c = 0; c < COMPONENTS; c++) {
            e[c] = (float) Math.exp(weightsLogits[o + c] - max);
            sum += e[c];
        }
        for (int c = 0; c < COMPONENTS; c++) {
            e[c] /= sum;
        }
        return e;
    }

    /**
     * Analytic mean of the affine-transformed mixture at token t, position p, float32 arithmetic as
     * the reference ({@code loc + scale * sum_c pi_c mean_c}; inf if the log-normal overflows).
     */
    public float mean(int t, int p) {
        int i = t * PATCH + p;
        float[] pw = probs(i);
        float m0 = tLoc[i];
        float m1 = nLoc[i];
        float m2 = totalCount[i] * (float) Math.exp(nbLogits[i]);
        float m3 = (float) Math.exp(lnLoc[i] + lnScale[i] * lnScale[i] / 2);
        float mix = pw[0] * m0 + pw[1] * m1 + pw[2] * m2 + pw[3] * m3;
        return mix * scale[t] + loc[t];
    }

    /** CDF in original units at token t, position p. */
    public double cdf(int t, int p, double y) {
        return cdfNormalized(t * PATCH + p, probs(t * PATCH + p), (y - loc[t]) / scale[t]);
    }

    private double cdfNormalized(int i, float[] pw, double x) {
        return pw[0] * StudentT.cdf(df[i], tLoc[i], tScale[i], x)
                + pw[1] * NormalFixedScale.cdf(nLoc[i], normalScale, x)
                + pw[2] * NegativeBinomial.cdf(totalCount[i], nbLogits[i], x)
                + pw[3] * LogNormal.cdf(lnLoc[i], lnScale[i], x);
    }

    /**
     * Quantiles at ascending {@code levels} for token t, position p, in original units, by
     * inverting the mixture CDF: the smallest x with F(x) >= level. Each level is bracketed
     * (reusing the previous level's lower end) and refined by the Illinois variant of regula falsi,
     * which converges superlinearly on the smooth parts and still shrinks the bracket onto a jump
     * (negative-binomial atoms, the 0.001-scale Normal); stops at a width of {@link #QUANTILE_TOL}
     * x max(1, |x|) in normalized units. Written into {@code out[offset + j]}, non-decreasing.
     */
    public void quantiles(int t, int p, double[] levels, float[] out, int offset) {
        int i = t * PATCH + p;
        float[] pw = probs(i);
        double lo = -1;
        double flo = Double.NaN;
        double hi = 1;
        double fhi = Double.NaN;
        for (int j = 0; j < levels.length; j++) {
            double q = levels[j];
            // bracket: F(lo) < q <= F(hi); levels ascend, so lo never needs to move down again
            if (Double.isNaN(flo)) {
                flo = cdfNormalized(i, pw, lo);
            }
            for (double step = 1; flo >= q && lo > -1e30; step *= 2) {
                hi = lo;
                fhi = flo;
                lo -= step;
                flo = cdfNormalized(i, pw, lo);
            }
            if (Double.isNaN(fhi) || hi <= lo) {
                hi = lo + 1;
                fhi = cdfNormalized(i, pw, hi);
            }
            for (double step = 1; fhi < q && hi < 1e30; step *= 2) {
                lo = hi;
                flo = fhi;
                hi += step;
                fhi = cdfNormalized(i, pw, hi);
            }
            double a = lo;
            double fa = flo - q; // < 0; may be halved by Illinois, faTrue is not
            double faTrue = flo;
            double b = hi;
            double fb = fhi - q; // >= 0
            double fbTrue = fhi;
            int side = 0;
            for (int it = 0;
                    it < 200 && b - a > QUANTILE_TOL * Math.max(1, Math.abs(a) + Math.abs(b));
                    it++) {
                double x = b - fb * (b - a) / (fb - fa);
                if (!(x > a && x < b) || it % 8 == 7) {
                    x = 0.5 * (a + b); // guard and a bisection step now and then (jumps)
                }
                double fxTrue = cdfNormalized(i, pw, x);
                double fx = fxTrue - q;
                if (fx >= 0) {
                    b = x;
                    fb = fx;
                    fbTrue = fxTrue;
                    if (side == 1) {
                        fa /= 2; // Illinois: halve the stale end's value
                    }
                    side = 1;
                } else {
                    a = x;
                    fa = fx;
                    faTrue = fxTrue;
                    if (side == -1) {
                        fb /= 2;
                    }
                    side = -1;
                }
            }
            out[offset + j] = (float) (loc[t] + scale[t] * b);
            if (j > 0 && out[offset + j] < out[offset + j - 1]) {
                // two levels on one atom, each located within the tolerance
                out[offset + j] = out[offset + j - 1];
            }
            // next level: F(a) < q_j <= q_{j+1}; keep (b, F(b)) as a candidate upper end
            lo = a;
            flo = faTrue;
            hi = b;
            fhi = fbTrue;
        }
    }

    /** One draw in original units at token t, position p: pick a component, then draw it. */
    public double sample(int t, int p, RandomGenerator rng) {
        int i = t * PATCH + p;
        float[] pw = probs(i);
        double u = rng.nextDouble();
        int c = 0;
        double acc = pw[0];
        while (c < COMPONENTS - 1 && u >= acc) {
            c++;
            acc += pw[c];
        }
        double x =
                switch (c) {
                    case 0 -> StudentT.sample(rng, df[i], tLoc[i], tScale[i]);
                    case 1 -> NormalFixedScale.sample(rng, nLoc[i], normalScale);
                    case 2 -> NegativeBinomial.sample(rng, totalCount[i], nbLogits[i]);
                    default -> LogNormal.sample(rng, lnLoc[i], lnScale[i]);
                };
        return loc[t] + scale[t] * x;
    }
}
