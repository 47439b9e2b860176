package io.patchcast.cli;

import io.patchcast.job.config.InferenceOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/** Options shared by commands that run the job's code: the model and any job option. */
final class JobConfigMixin {

    @Option(names = "--model", description = "Model: 'default' (the shipped model), 'seasonal-naive' or a model folder; "
            + "overrides -c patchcast.model. Default: default.")
    String modelOption;

    @Option(names = {"-c", "--conf"}, paramLabel = "KEY=VALUE",
            description = "Any job option (see README, e.g. patchcast.anomaly.level=0.995); repeatable.")
    Map<String, String> conf = new LinkedHashMap<>();

    /** The model to run: {@code --model}, else {@code -c patchcast.model=...}, else the shipped default. */
    String model() {
        if (modelOption != null) {
            return modelOption;
        }
        return conf.getOrDefault(InferenceOptions.MODEL.key(), InferenceOptions.MODEL.defaultValue());
    }

    Configuration configuration() {
        Configuration c = Configuration.fromMap(conf);
        c.set(InferenceOptions.MODEL, model());
        return c;
    }
}
