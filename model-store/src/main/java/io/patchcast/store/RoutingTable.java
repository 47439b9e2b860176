package io.patchcast.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which model versions may forecast a series: the rules in precedence order, immutable.
 *
 * <p>Order: rules set on the model-control topic first, the most recently issued first (ties by
 * pattern, so every subtask orders alike); then the configured rules, in configuration order. A
 * control command (ROUTE or UNROUTE) for a pattern replaces the configured rule of the same pattern.
 * The first rule whose pattern matches the whole series key decides; series no rule matches use the
 * default model. A rule with channels (a multichannel model) applies only to the series it names:
 * its pattern selects among them, and other series it matches are left to the rules after it.
 *
 * <p>A pattern that backtracks without end on a key (e.g. {@code (\w+_?)+x} against a long key that
 * does not match) gives up after {@link #MATCH_BUDGET} character reads and does not apply to that
 * key (logged once per pattern), so one control command cannot stall the job.
 */
public final class RoutingTable {

    private record Compiled(RouteRule rule, Pattern pattern) {}

    private static final RoutingTable EMPTY = new RoutingTable(List.of());
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RoutingTable.class);

    /** Character reads one match may take: a few milliseconds; a sane pattern reads a key a few times. */
    static final long MATCH_BUDGET = 2_000_000;

    /** Patterns already logged for running out of their budget. */
    private final Set<String> exhausted = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final List<Compiled> rules;

    private RoutingTable(List<Compiled> rules) {
        this.rules = rules;
    }

    public static RoutingTable empty() {
        return EMPTY;
    }

    /**
     * @param configured rules from configuration, in configuration order
     * @param control the current rule per pattern from the control topic, tombstones included
     */
    public static RoutingTable of(List<RouteRule> configured, Collection<RouteRule> control) {
        List<RouteRule> ordered = new ArrayList<>();
        Set<String> overridden = new HashSet<>();
        control.stream()
                .peek(r -> overridden.add(r.seriesPattern()))
                .filter(r -> !r.isTombstone())
                .sorted(Comparator.comparingLong(RouteRule::issuedAt).reversed()
                        .thenComparing(RouteRule::seriesPattern))
                .forEach(ordered::add);
        for (RouteRule r : configured) {
            if (!overridden.contains(r.seriesPattern()) && !r.isTombstone()) {
                ordered.add(r);
            }
        }
        List<Compiled> compiled = new ArrayList<>(ordered.size());
        for (RouteRule r : ordered) {
            compiled.add(new Compiled(r, RouteRule.compile(r.seriesPattern())));
        }
        return new RoutingTable(List.copyOf(compiled));
    }

    /** The rules in precedence order. */
    public List<RouteRule> rules() {
        return rules.stream().map(Compiled::rule).toList();
    }

    /** The first rule that applies to the series, or null (the default model). */
    public RouteRule match(String seriesKey) {
        for (Compiled c : rules) {
            if (applies(c, seriesKey)) {
                return c.rule();
            }
        }
        return null;
    }

    private boolean applies(Compiled c, String seriesKey) {
        String[] channels = c.rule().channels();
        return matches(c, seriesKey)
                && (channels.length == 0 || java.util.Arrays.asList(channels).contains(seriesKey));
    }

    private boolean matches(Compiled c, String seriesKey) {
        try {
            return c.pattern().matcher(new Budgeted(seriesKey)).matches();
        } catch (Budgeted.Exhausted | StackOverflowError e) {
            if (exhausted.add(c.rule().seriesPattern())) {
                LOG.warn("series pattern '{}' gave up on key {} ({}): it backtracks without end on such keys;"
                        + " the rule does not apply to them. Replace it with a pattern without nested repetition.",
                        c.rule().seriesPattern(), seriesKey, e instanceof StackOverflowError
                                ? "stack overflow" : MATCH_BUDGET + " character reads");
            }
            return false;
        }
    }

    /** A key that counts the characters a match reads and stops it past {@link #MATCH_BUDGET}. */
    private static final class Budgeted implements CharSequence {
        static final class Exhausted extends RuntimeException {
            Exhausted() {
                super(null, null, false, false);
            }
        }

        private final String key;
        private long left = MATCH_BUDGET;

        Budgeted(String key) {
            this.key = key;
        }

        @Override
        public char charAt(int index) {
            if (--left < 0) {
                throw new Exhausted();
            }
            return key.charAt(index);
        }

        @Override
        public int length() {
            return key.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return key.subSequence(start, end);
        }

        @Override
        public String toString() {
            return key;
        }
    }

    /**
     * The versions that may serve a series, most wanted first: the first matching rule's target and
     * the versions it served before, then those of later matching rules (what served the series
     * before a newer rule took it over). Empty: the default model. A server uses the first of them
     * that is loaded, so a series keeps its old version until the new one is ready.
     */
    public List<ModelRef> candidates(String seriesKey) {
        LinkedHashSet<ModelRef> out = new LinkedHashSet<>();
        for (Compiled c : rules) {
            if (applies(c, seriesKey)) {
                out.add(c.rule().target());
                out.addAll(List.of(c.rule().previous()));
            }
        }
        return List.copyOf(out);
    }

    public int size() {
        return rules.size();
    }

    @Override
    public String toString() {
        return rules().toString();
    }
}
