package io.patchcast.models.module;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Whether the Java SIMD kernels ({@link VectorGemm}) can run in this JVM. They need the JDK's
 * incubating Vector API, which a JVM only resolves when started with {@code --add-modules
 * jdk.incubator.vector} (bin/patchcast, the tests and docker/config.yaml pass it), and
 * vectors of at least 256 bits (AVX2 and up; narrower or emulated vectors would be slower than
 * libtorch). System property {@code patchcast.moe.kernel=torch} turns them off.
 *
 * <p>This class refers to no Vector API type, so it loads in any JVM.
 */
public final class VectorKernels {

    private static final Logger LOG = LoggerFactory.getLogger(VectorKernels.class);

    /** System property choosing the CPU MoE kernel: {@code auto} (default), {@code torch}. */
    public static final String PROPERTY = "patchcast.moe.kernel";

    private static final String WHY_NOT = check();

    static {
        if (WHY_NOT != null) {
            LOG.info("Java SIMD kernels off ({}): Moirai-MoE layers run on libtorch", WHY_NOT);
        }
    }

    private VectorKernels() {}

    /** True when {@link VectorGemm} may be used. */
    public static boolean available() {
        return WHY_NOT == null;
    }

    /** Why the kernels are off, or null when they are available. */
    public static String whyNot() {
        return WHY_NOT;
    }

    private static String check() {
        String choice = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        if (choice.equals("torch")) {
            return "-D" + PROPERTY + "=torch";
        }
        if (!choice.equals("auto")) {
            LOG.warn("-D{}={} is neither auto nor torch; using auto", PROPERTY, choice);
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "the JVM was started without --add-modules jdk.incubator.vector";
        }
        int bits = Probe.preferredBits();
        if (bits < 256) {
            return "this CPU's preferred vectors have " + bits + " bits (256 needed)";
        }
        return null;
    }

    /** Touches the Vector API only once the module is known to be there. */
    private static final class Probe {
        static int preferredBits() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
