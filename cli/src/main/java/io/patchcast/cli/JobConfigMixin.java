package io.patchcast.cli;

import io.patchcast.job.config.AllOptions;
import io.patchcast.job.config.InferenceOptions;
import io.patchcast.models.api.Forecaster;
import io.patchcast.store.ModelRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options shared by commands that run the job's code: the model and any job option. */
final class JobConfigMixin {

    static final String PREFIX = "patchcast.";

    @Option(names = "--model", description = "Model: 'default' (the shipped model), 'seasonal-naive' or a model folder; "
            + "overrides -c patchcast.model. Default: default.")
    String modelOption;

    @Option(names = {"-c", "--conf"}, paramLabel = "KEY=VALUE",
            description = "Any job option (see README, e.g. patchcast.anomaly.level=0.995); repeatable.")
    Map<String, String> conf = new LinkedHashMap<>();

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** The model to run: {@code --model}, else {@code -c patchcast.model=...}, else the shipped default. */
    String model() {
        if (modelOption != null) {
            return modelOption;
        }
        return trimmed().getOrDefault(InferenceOptions.MODEL.key(), InferenceOptions.MODEL.defaultValue());
    }

    /**
     * The {@code -c} options (keys and values trimmed) and the model. A {@code patchcast.*} key that is
     * not one of the job's options is a usage error naming the closest one; other keys (Flink's own)
     * pass through.
     */
    Configuration configuration() {
        Map<String, String> m = trimmed();
        List<String> known = knownKeys();
        for (String key : m.keySet()) {
            if (key.startsWith(PREFIX) && !known.contains(key)) {
                throw new ParameterException(mixee.commandLine(), String.format(
                        "-c %s: not an option of the job; did you mean %s? (README, Configuration, lists them)",
                        key, closest(key, known)));
            }
        }
        Configuration c = Configuration.fromMap(m);
        c.set(InferenceOptions.MODEL, model());
        return c;
    }

    /**
     * Opens and closes the configured model, as {@code score} does before it runs: a model that
     * cannot be loaded fails here, before any long work, with the registry's message.
     */
    static void checkModel(Configuration c) {
        try (Forecaster f = ModelRegistry.open(c.get(InferenceOptions.MODEL), c.get(InferenceOptions.DEVICE),
                c.get(InferenceOptions.ENGINE_THREADS))) {
            // opened: the spec is valid
        }
    }

    private Map<String, String> trimmed() {
        Map<String, String> m = new LinkedHashMap<>();
        conf.forEach((k, v) -> m.put(k.trim(), v == null ? null : v.trim()));
        return m;
    }

    /** The keys of every job option. */
    static List<String> knownKeys() {
        return AllOptions.keys();
    }

    /** The key with the smallest edit distance to {@code key} (the first of equals). */
    static String closest(String key, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = editDistance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
