package io.patchcast.cli.nab;

import java.util.List;

/** A named NAB application profile with its {@link CostMatrix} (numenta/NAB {@code config/profiles.json}). */
public record Profile(String name, CostMatrix costMatrix) {

    public static final Profile STANDARD = new Profile("standard", new CostMatrix(1.0, 1.0, 0.11));
    public static final Profile REWARD_LOW_FP_RATE = new Profile("reward_low_FP_rate", new CostMatrix(1.0, 1.0, 0.22));
    public static final Profile REWARD_LOW_FN_RATE = new Profile("reward_low_FN_rate", new CostMatrix(1.0, 2.0, 0.11));

    /** The three published profiles, standard first. */
    public static final List<Profile> ALL = List.of(STANDARD, REWARD_LOW_FP_RATE, REWARD_LOW_FN_RATE);

    public Profile {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("profile needs a name");
        }
    }

    public static Profile byName(String name) {
        for (Profile p : ALL) {
            if (p.name.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown NAB profile '" + name
                + "'; expected standard, reward_low_FP_rate or reward_low_FN_rate");
    }
}
