package io.patchcast.models.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.pytorch.engine.PtEngine;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * What a Flink TaskManager does when a job with this jar is submitted a second time: a new class
 * loader of the job's own, loading DJL and this project's classes child-first, in a JVM where an
 * earlier loader already holds PyTorch's native library.
 */
class NativeEngineTest {

    @Test
    void aSecondClassLoaderIsToldToUseLibInsteadOfDjlsBareLinkError() throws Exception {
        assertEquals("PyTorch", NativeEngine.pytorch().getEngineName()); // this loader holds the library now
        URL[] jobJar = {location(Engine.class), location(PtEngine.class), location(NativeEngine.class)};
        try (URLClassLoader job = new ChildFirst(jobJar, NativeEngineTest.class.getClassLoader())) {
            Class<?> copy = Class.forName(NativeEngine.class.getName(), true, job);
            assertTrue(copy != NativeEngine.class, "the job's loader must define its own copy");
            Thread me = Thread.currentThread();
            ClassLoader before = me.getContextClassLoader();
            me.setContextClassLoader(job); // as a Flink task thread runs job code
            InvocationTargetException thrown;
            try {
                thrown = assertThrows(InvocationTargetException.class, () -> copy.getMethod("pytorch").invoke(null));
            } finally {
                me.setContextClassLoader(before);
            }
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, thrown.getCause());
            assertTrue(e.getMessage().contains("lib/"), e.getMessage());
            assertTrue(e.getMessage().contains("already loaded in another classloader"), e.getMessage());
            assertTrue(NativeEngine.heldByAnotherLoader(e.getCause()), "DJL's failure is kept as the cause");
        }
        assertEquals("PyTorch", NativeEngine.pytorch().getEngineName(), "the first loader keeps working");
    }

    @Test
    void otherFailuresAreNotReadAsALoaderConflict() {
        assertFalse(NativeEngine.heldByAnotherLoader(
                new EngineException("Failed to load PyTorch native library", new UnsatisfiedLinkError("libc10.so:"
                        + " cannot open shared object file: No such file or directory"))));
        assertTrue(NativeEngine.heldByAnotherLoader(new EngineException("Failed to load PyTorch native library",
                new UnsatisfiedLinkError("Native Library /x/libc10.so already loaded in another classloader"))));
    }

    private static URL location(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    /** Flink's default resolve order for job code: the job's own jars first, the parent after. */
    private static final class ChildFirst extends URLClassLoader {
        ChildFirst(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && (name.startsWith("ai.djl.") || name.startsWith("io.patchcast."))) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException notInTheJobsJars) {
                        c = null;
                    }
                }
                if (c == null) {
                    c = super.loadClass(name, false);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
