package io.patchcast.cli;

import io.patchcast.job.config.InferenceOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/** Options shared by commands that run the job's code: the model and any job option. */
final class JobConfigMixin {

    @Option(names = "--model", description = "Model: 'default' (the shipped model), 'seasonal-naive' or a model folder. Default: ${DEFAULT-VALUE}.",
            defaultValue = "default")
    String model;

    @Option(names = {"-c", "--conf"}, paramLabel = "KEY=VALUE",
            description = "Any job option (see README, e.g. patchcast.anomaly.level=0.995); repeatable.")
    Map<String, String> conf = new LinkedHashMap<>();

    Configuration configuration() {
        Configuration c = Configuration.fromMap(conf);
        c.set(InferenceOptions.MODEL, model);
        return c;
    }
}
