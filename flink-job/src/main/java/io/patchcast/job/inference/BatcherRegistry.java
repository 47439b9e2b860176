package io.patchcast.job.inference;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One {@link MicroBatcher} per model per JVM, shared by all async inference subtasks of a
 * TaskManager so their requests batch together; reference-counted, closed with its last user.
 */
public final class BatcherRegistry {

    private static final Map<String, Entry> BATCHERS = new HashMap<>();

    private static final class Entry {
        final MicroBatcher batcher;
        int users;

        Entry(MicroBatcher batcher) {
            this.batcher = batcher;
        }
    }

    private BatcherRegistry() {}

    public static synchronized MicroBatcher acquire(String key, Supplier<MicroBatcher> create) {
        Entry e = BATCHERS.computeIfAbsent(key, k -> new Entry(create.get()));
        e.users++;
        return e.batcher;
    }

    public static synchronized void release(String key) {
        Entry e = BATCHERS.get(key);
        if (e != null && --e.users == 0) {
            BATCHERS.remove(key);
            e.batcher.close();
        }
    }

    /** Batchers alive in this JVM (tests check that none leak). */
    public static synchronized int active() {
        return BATCHERS.size();
    }
}
