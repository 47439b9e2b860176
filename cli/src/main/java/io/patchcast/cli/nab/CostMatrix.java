package io.patchcast.cli.nab;

/**
 * The weights of one NAB application profile (numenta/NAB {@code config/profiles.json},
 * {@code CostMatrix}): a detected window earns up to {@code tpWeight}, a missed window costs
 * {@code fnWeight}, a detection outside every window costs up to {@code fpWeight}.
 */
public record CostMatrix(double tpWeight, double fnWeight, double fpWeight) {
    public CostMatrix {
        if (!(tpWeight > 0) || !(fnWeight >= 0) || !(fpWeight >= 0)) {
            throw new IllegalArgumentException(String.format(
                    "weights need tp > 0, fn >= 0, fp >= 0; got tp=%s fn=%s fp=%s", tpWeight, fnWeight, fpWeight));
        }
    }
}
