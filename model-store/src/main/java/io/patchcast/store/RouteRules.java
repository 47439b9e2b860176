package io.patchcast.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the configured routing rules ({@code patchcast.route.rules}).
 *
 * <p>Syntax: rules separated by {@code ;}, each {@code <model>/<version>=<pattern>} or, for a
 * multichannel model, {@code <model>/<version>[<channel>|<channel>|...]=<pattern>}. The pattern is
 * everything after the first {@code =} (after {@code ]=} when channels are given), so it may hold
 * {@code =}; a {@code ;} inside a pattern is written {@code \x3B} (a regex escape). Blank rules
 * are skipped. Example: {@code moirai-moe-small/2=cpu\{host="db-.*"\};seasonal-naive/1=disk_.*}.
 */
public final class RouteRules {

    private RouteRules() {}

    public static List<RouteRule> parse(String rules) {
        List<RouteRule> out = new ArrayList<>();
        if (rules == null) {
            return out;
        }
        for (String r : rules.split(";")) {
            if (!r.isBlank()) {
                out.add(parseOne(r.strip()));
            }
        }
        return out;
    }

    static RouteRule parseOne(String rule) {
        int bracket = rule.indexOf('[');
        int eq = rule.indexOf('=');
        if (eq < 0) {
            throw bad(rule, "no '='");
        }
        String target;
        String[] channels = new String[0];
        String pattern;
        if (bracket >= 0 && bracket < eq) {
            int close = rule.indexOf("]=", bracket);
            if (close < 0) {
                throw bad(rule, "'[' without ']=' closing the channel list");
            }
            target = rule.substring(0, bracket);
            channels = rule.substring(bracket + 1, close).split("\\|");
            for (int i = 0; i < channels.length; i++) {
                channels[i] = channels[i].strip();
                if (channels[i].isEmpty()) {
                    throw bad(rule, "empty channel name");
                }
            }
            pattern = rule.substring(close + 2);
        } else {
            target = rule.substring(0, eq);
            pattern = rule.substring(eq + 1);
        }
        int slash = target.indexOf('/');
        if (slash < 0) {
            throw bad(rule, "the target '" + target + "' is not <model>/<version>");
        }
        try {
            ModelRef ref = new ModelRef(target.substring(0, slash).strip(), target.substring(slash + 1).strip());
            return RouteRule.route(pattern, ref, channels, 0);
        } catch (IllegalArgumentException e) {
            throw bad(rule, e.getMessage());
        }
    }

    private static IllegalArgumentException bad(String rule, String why) {
        return new IllegalArgumentException(String.format(
                "routing rule '%s': %s; expected <model>/<version>=<pattern> or"
                        + " <model>/<version>[<channel>|...]=<pattern>", rule, why));
    }
}
