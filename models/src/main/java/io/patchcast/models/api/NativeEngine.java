package io.patchcast.models.api;

import ai.djl.engine.Engine;

/**
 * The DJL PyTorch engine, loaded with an error that says what to do when it cannot be.
 *
 * <p>A JVM binds a native library to the one class loader that loaded it first. Flink loads every
 * job submitted to a running cluster in a class loader of its own, so when a second job with this
 * jar runs on a TaskManager where an earlier one loaded PyTorch (the same job submitted again, for
 * example restored from a savepoint after an upgrade on a session cluster), DJL's load fails with
 * "already loaded in another classloader", and garbage collection does not free it. The cure is on
 * the deployment side: the jar on the TaskManagers' class path (Flink's {@code lib/}), so that one
 * class loader serves every job. This class turns DJL's bare failure into that instruction.
 */
public final class NativeEngine {

    /** The engine every model of this project runs on. */
    public static final String PYTORCH = "PyTorch";

    private NativeEngine() {}

    /**
     * Loads (on first use) and returns the PyTorch engine.
     *
     * @throws IllegalStateException when its native library is held by another class loader of this
     *     JVM, saying why and what to change; DJL's own exception is the cause
     */
    public static Engine pytorch() {
        try {
            return Engine.getEngine(PYTORCH);
        } catch (RuntimeException | LinkageError e) {
            if (heldByAnotherLoader(e)) {
                throw new IllegalStateException(
                        "PyTorch's native library is already loaded in this JVM by another class loader:"
                                + " an earlier job with this jar ran on this TaskManager, and Flink loads each"
                                + " submitted job in a class loader of its own while a native library can belong"
                                + " to one only. Put the job jar in Flink's lib/ folder (on the class path; see"
                                + " the README, Deploying on a Flink cluster) or restart the TaskManager. ("
                                + rootMessage(e) + ")",
                        e);
            }
            throw e;
        }
    }

    /** Whether {@code t} or one of its causes is the JVM refusing a library held by another loader. */
    static boolean heldByAnotherLoader(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof UnsatisfiedLinkError
                    && c.getMessage() != null
                    && c.getMessage().contains("already loaded in another classloader")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }
}
