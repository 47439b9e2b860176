package io.patchcast.job.inference;

import io.patchcast.store.BackgroundLoader;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One {@link BackgroundLoader} of routed model versions per JVM and inference setup, shared by the
 * async inference subtasks of a TaskManager (so each version loads once and its requests batch
 * together); reference-counted, closed with its last user.
 */
public final class ServingPools {

    private static final Map<String, Entry> POOLS = new HashMap<>();

    private static final class Entry {
        final BackgroundLoader<MicroBatcher> loader;
        int users;

        Entry(BackgroundLoader<MicroBatcher> loader) {
            this.loader = loader;
        }
    }

    private ServingPools() {}

    public static synchronized BackgroundLoader<MicroBatcher> acquire(String key,
            Supplier<BackgroundLoader<MicroBatcher>> create) {
        Entry e = POOLS.computeIfAbsent(key, k -> new Entry(create.get()));
        e.users++;
        return e.loader;
    }

    public static synchronized void release(String key) {
        Entry e = POOLS.get(key);
        if (e != null && --e.users == 0) {
            POOLS.remove(key);
            e.loader.close();
        }
    }

    /** Pools alive in this JVM (tests check that none leak). */
    public static synchronized int active() {
        return POOLS.size();
    }
}
