package io.patchcast.store;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One routing rule: series whose key fully matches {@code seriesPattern} are forecast by {@code
 * target}. A rule with {@code target == null} is an UNROUTE tombstone: it removes the rule of the
 * same pattern (a configured one included) until a newer ROUTE for that pattern.
 *
 * @param seriesPattern Java regular expression matched against the whole series key
 * @param target the model version to serve, null for a tombstone
 * @param channels for multichannel models (CALF): the series keys it was trained on, in channel
 *     order; empty for single-series models
 * @param issuedAt when the command was issued (epoch ms); config rules have 0. A command older than
 *     the rule it would replace is ignored, so a replayed or reordered command cannot undo a newer one.
 * @param previous targets this pattern served before, newest first (at most {@link #MAX_PREVIOUS}):
 *     requests keep going to the newest of them that is loaded until {@code target} is ready
 */
public record RouteRule(String seriesPattern, ModelRef target, String[] channels, long issuedAt, ModelRef[] previous)
        implements java.io.Serializable {

    /** Older versions kept per pattern to serve while newer ones load (or after they failed to). */
    public static final int MAX_PREVIOUS = 3;

    public RouteRule {
        Objects.requireNonNull(seriesPattern, "seriesPattern");
        compile(seriesPattern);
        channels = channels == null ? new String[0] : channels;
        previous = previous == null ? new ModelRef[0] : previous;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String c : channels) {
            Objects.requireNonNull(c, "channel");
            if (!seen.add(c)) {
                throw new IllegalArgumentException(String.format(
                        "channel '%s' is named twice in %s; each channel is one series", c, Arrays.toString(channels)));
            }
        }
        for (ModelRef p : previous) {
            Objects.requireNonNull(p, "previous target");
        }
        if (previous.length > MAX_PREVIOUS) {
            throw new IllegalArgumentException(String.format(
                    "a rule keeps at most %d previous targets, got %d", MAX_PREVIOUS, previous.length));
        }
    }

    public static RouteRule route(String seriesPattern, ModelRef target, String[] channels, long issuedAt) {
        return new RouteRule(seriesPattern, Objects.requireNonNull(target, "target"), channels, issuedAt, null);
    }

    public static RouteRule unroute(String seriesPattern, long issuedAt) {
        return new RouteRule(seriesPattern, null, null, issuedAt, null);
    }

    /** Compiles a series pattern; the message says which pattern and where it is wrong. */
    public static Pattern compile(String seriesPattern) {
        try {
            return Pattern.compile(seriesPattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(String.format(
                    "series pattern '%s' is not a Java regular expression: %s", seriesPattern,
                    e.getDescription() + " near index " + e.getIndex()), e);
        }
    }

    public boolean isTombstone() {
        return target == null;
    }

    /**
     * This command applied over {@code prior} (the rule of the same pattern, or null): the versions
     * {@code prior} served become this rule's {@link #previous}, newest first, without repeats of
     * the new target.
     */
    public RouteRule over(RouteRule prior) {
        if (prior == null || isTombstone()) {
            return this;
        }
        ModelRef[] chain = new ModelRef[MAX_PREVIOUS];
        int n = 0;
        if (prior.target != null && !prior.target.equals(target)) {
            chain[n++] = prior.target;
        }
        for (ModelRef p : prior.previous) {
            if (n < MAX_PREVIOUS && !p.equals(target) && !Arrays.asList(chain).subList(0, n).contains(p)) {
                chain[n++] = p;
            }
        }
        return new RouteRule(seriesPattern, target, channels, issuedAt, Arrays.copyOf(chain, n));
    }

    @Override
    public String toString() {
        String t = target == null ? "UNROUTE" : target.toString();
        return String.format("%s -> %s%s%s (issuedAt %d)", seriesPattern, t,
                channels.length == 0 ? "" : " channels " + Arrays.toString(channels),
                previous.length == 0 ? "" : " previous " + Arrays.toString(previous), issuedAt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteRule r && seriesPattern.equals(r.seriesPattern)
                && Objects.equals(target, r.target) && Arrays.equals(channels, r.channels)
                && issuedAt == r.issuedAt && Arrays.equals(previous, r.previous);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seriesPattern, target, Arrays.hashCode(channels), issuedAt, Arrays.hashCode(previous));
    }
}
