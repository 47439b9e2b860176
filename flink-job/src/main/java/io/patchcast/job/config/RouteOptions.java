package io.patchcast.job.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Which model version forecasts which series, and where versions come from. */
public final class RouteOptions {
    private RouteOptions() {}

    public static final ConfigOption<String> RULES =
            ConfigOptions.key("patchcast.route.rules").stringType().defaultValue("")
                    .withDescription("Initial routing rules, ';'-separated, each '<model>/<version>=<regex>' (or '<model>/<version>[<channel>|...]=<regex>'); the regex must match the whole series key; the first matching rule wins, and rules from the control topic come before these. Empty: every series uses patchcast.model.");

    public static final ConfigOption<String> MODEL_STORE_DIR =
            ConfigOptions.key("patchcast.model-store.dir").stringType().defaultValue("")
                    .withDescription("Model store: a rule's '<model>/<version>' is the folder '<dir>/<model>/<version>/' with manifest.json, verified by SHA-256 before it serves. Empty: only the built-in seasonal-naive/1 can be routed to.");

    public static final ConfigOption<String> CONTROL_TOPIC =
            ConfigOptions.key("patchcast.kafka.control-topic").stringType().defaultValue("")
                    .withDescription("Topic of Avro ModelControl commands (ROUTE/UNROUTE) changing the rules at run time, read from its start so every restart rebuilds the same rules; use one partition so commands stay in order. Empty: rules come from configuration only.");

    public static final ConfigOption<Duration> LOAD_RETRY =
            ConfigOptions.key("patchcast.route.load-retry").durationType().defaultValue(Duration.ofMinutes(5))
                    .withDescription("A model version that failed to load is not tried again for this long (the versions already serving keep serving), so a broken artifact does not reload on every request; also how often a patchcast.model that failed to load at start is tried again.");

    public static final ConfigOption<Duration> GROUP_WAIT =
            ConfigOptions.key("patchcast.route.group-wait").durationType().defaultValue(Duration.ofMinutes(5))
                    .withDescription("How far (in event time) the watermark may pass a patch start before a multichannel model's group for that patch is given up: the channels that arrived are then forecast on their own (by single-series candidates or patchcast.model), so none is lost. A complete group never waits for it.");
}
