package io.patchcast.job.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/** Every option of the job, from the option classes of this package: what the README table lists. */
public final class AllOptions {
    private AllOptions() {}

    /** The classes holding the job's options; a new options class is added here. */
    static final List<Class<?>> CLASSES = List.of(SourceOptions.class, SinkOptions.class,
            PatchOptions.class, InferenceOptions.class, RouteOptions.class, AnomalyOptions.class, JobOptions.class);

    /** Every public static {@link ConfigOption} of {@link #CLASSES}, class by class in declaration order. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> out = new ArrayList<>();
        for (Class<?> c : CLASSES) {
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                    try {
                        out.add((ConfigOption<?>) f.get(null));
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException("cannot read " + c.getSimpleName() + "." + f.getName(), e);
                    }
                }
            }
        }
        return out;
    }

    /** The keys of {@link #all()}. */
    public static List<String> keys() {
        return all().stream().map(ConfigOption::key).toList();
    }
}
