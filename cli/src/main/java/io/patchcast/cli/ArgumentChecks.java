package io.patchcast.cli;

import ai.djl.Device;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks of option values that picocli's types do not make: usage errors (exit 2) naming the option. */
final class ArgumentChecks {

    private ArgumentChecks() {}

    /** {@code cpu} or {@code gpu}, in any case. */
    static Device device(CommandSpec spec, String option, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> throw new ParameterException(spec.commandLine(),
                    String.format("%s must be cpu or gpu, got '%s'", option, value));
        };
    }

    /** {@code value >= min}. */
    static void atLeast(CommandSpec spec, String option, long value, long min) {
        if (value < min) {
            throw new ParameterException(spec.commandLine(),
                    String.format("%s must be at least %d, got %d", option, min, value));
        }
    }
}
