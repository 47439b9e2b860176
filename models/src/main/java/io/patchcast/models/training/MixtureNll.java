package io.patchcast.models.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import io.patchcast.models.module.Scalars;

/**
 * Negative log-likelihood of the Moirai-MoE head (uni2ts distribution/mixture.py log_prob, loss
 * packed/distribution.py PackedNLLLoss) on scaled targets, with NDArray ops so that it
 * differentiates: log-probabilities of Student-T, Normal with fixed scale, Negative Binomial and
 * Log-Normal, combined with the log-softmax mixture weights by log-sum-exp. A value outside a
 * component's support (negative for the Negative Binomial, non-positive for the Log-Normal) gives
 * that component probability 0; the component is evaluated at a safe value there so no NaN reaches
 * the gradient (uni2ts does the same with torch.where).
 *
 * <p>Raw layout (T, 192) as {@link io.patchcast.models.distribution.DistrParamProj}: weights
 * logits (c * 16 + p), then df, t.loc, t.scale, n.loc, nb.total_count, nb.logits, ln.loc,
 * ln.scale, 16 columns each.
 */
public final class MixtureNll {

    static final int P = 16;
    static final float EPS_F32 = 1.1920929e-07f;
    static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
    /** Stands for log 0 of a component outside its support; exp of it is exactly 0 in float32. */
    static final float LOG_ZERO = -1e4f;

    private final double normalScale;

    public MixtureNll(double normalScale) {
        this.normalScale = normalScale;
    }

    /**
     * Mean NLL over the positions where {@code mask} is 1: raw (T, 192), y (T, 16) scaled
     * targets (any finite value where masked out), mask (T, 16) of 0/1.
     */
    public NDArray mean(NDArray raw, NDArray y, NDArray mask) {
        NDArray lp = logProb(raw, y);
        return lp.mul(mask).sum().neg().div(Scalars.maximum(mask.sum(), 1f));
    }

    /** Log-density (T, 16) of the mixture at y (T, 16). */
    public NDArray logProb(NDArray raw, NDArray y) {
        long t = raw.getShape().get(0);
        NDArray logW = raw.get(":, 0:64").reshape(t, 4, P).logSoftmax(1); // (T, 4, 16)
        NDArray df = Scalars.add(softplus(leaf(raw, 1)), 2f);
        NDArray tLoc = leaf(raw, 2);
        NDArray tScale = Scalars.maximum(softplus(leaf(raw, 3)), EPS_F32);
        NDArray nLoc = leaf(raw, 4);
        NDArray count = softplus(leaf(raw, 5));
        NDArray nbLogits = leaf(raw, 6);
        NDArray lnLoc = leaf(raw, 7);
        NDArray lnScale = Scalars.maximum(softplus(leaf(raw, 8)), EPS_F32);

        NDArray c0 = studentT(y, df, tLoc, tScale);
        NDArray c1 = normal(y, nLoc, normalScale);
        NDArray nonNeg = y.gte(0f).toType(y.getDataType(), false);
        NDArray positive = y.gt(0f).toType(y.getDataType(), false);
        // safe arguments outside the support, then log 0 there
        NDArray yNb = y.mul(nonNeg);
        NDArray yLn = y.mul(positive).add(Scalars.add(positive.neg(), 1f));
        NDArray c2 = negativeBinomial(yNb, count, nbLogits).mul(nonNeg).add(outside(nonNeg));
        NDArray c3 = logNormal(yLn, lnLoc, lnScale).mul(positive).add(outside(positive));
        NDArray comps = c0.expandDims(1).concat(c1.expandDims(1), 1).concat(c2.expandDims(1), 1)
                .concat(c3.expandDims(1), 1); // (T, 4, 16)
        NDArray v = comps.add(logW);
        NDArray m = v.max(new int[] {1}, true).stopGradient();
        return v.sub(m).exp().sum(new int[] {1}).log().add(m.reshape(new Shape(t, P)));
    }

    /** LOG_ZERO where {@code inside} is 0, else 0. */
    private static NDArray outside(NDArray inside) {
        return Scalars.mul(Scalars.add(inside.neg(), 1f), LOG_ZERO);
    }

    private static NDArray leaf(NDArray raw, int k) {
        int o = 64 + (k - 1) * P;
        return raw.get(":, " + o + ":" + (o + P));
    }

    /** torch softplus: log(1 + e^x), stable form max(x, 0) + log(1 + e^-|x|). */
    static NDArray softplus(NDArray x) {
        return Scalars.maximum(x, 0f).add(Scalars.add(x.abs().neg().exp(), 1f).log());
    }

    /** log sigmoid(x) = -softplus(-x). */
    static NDArray logSigmoid(NDArray x) {
        return softplus(x.neg()).neg();
    }

    static NDArray studentT(NDArray y, NDArray df, NDArray loc, NDArray scale) {
        NDArray z = y.sub(loc).div(scale);
        NDArray half = Scalars.mul(Scalars.add(df, 1f), 0.5f);
        return half.gammaln()
                .sub(Scalars.mul(df, 0.5f).gammaln())
                .sub(Scalars.mul(Scalars.mul(df, (float) Math.PI).log(), 0.5f))
                .sub(scale.log())
                .sub(half.mul(Scalars.add(z.square().div(df), 1f).log()));
    }

    static NDArray normal(NDArray y, NDArray loc, double scale) {
        NDArray z = Scalars.div(y.sub(loc), (float) scale);
        return Scalars.sub(Scalars.mul(z.square(), -0.5f), (float) (Math.log(scale) + HALF_LOG_2PI));
    }

    /** uni2ts negative_binomial.py log_prob, continuous in y >= 0. */
    static NDArray negativeBinomial(NDArray y, NDArray count, NDArray logits) {
        NDArray r = Scalars.maximum(count, 1e-6f); // lgamma(0) is infinite; softplus never reaches 0 in practice
        NDArray unnorm = r.mul(logSigmoid(logits.neg())).add(logSigmoid(logits).mul(y));
        NDArray y1 = Scalars.add(y, 1f);
        NDArray lbeta = y1.gammaln().add(r.gammaln()).sub(y1.add(r).gammaln());
        return unnorm.sub(lbeta).sub(r.add(y).log());
    }

    static NDArray logNormal(NDArray y, NDArray loc, NDArray scale) {
        NDArray ly = y.log();
        NDArray z = ly.sub(loc).div(scale);
        return Scalars.sub(Scalars.mul(z.square(), -0.5f).sub(scale.log()), (float) HALF_LOG_2PI).sub(ly);
    }
}
