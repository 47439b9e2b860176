package io.patchcast.models.moiraimoe.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory figures of this JVM process for benchmarks: heap peaks from the heap {@link
 * MemoryPoolMXBean}s, resident set from {@code /proc/self/status} (Linux; -1 elsewhere). libtorch
 * allocates CPU tensors with malloc outside the heap, so they show up only in the resident set; DJL
 * 0.35 exposes no CPU allocator statistics.
 */
public final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private static double peakNativeMb = -1;

    private ProcessMemory() {}

    /**
     * Starts a new peak: resets the peak usage of every memory pool, VmHWM (writing 5 to {@code
     * /proc/self/clear_refs}, Linux >= 4.0; ignored where that fails) and the native peak.
     */
    public static synchronized void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
        try {
            Files.writeString(CLEAR_REFS, "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not permitted: VmHWM then covers the whole process life
        }
        peakNativeMb = -1;
    }

    /**
     * Records one sample of native memory, estimated as resident set minus committed heap (an
     * underestimate while committed heap pages are not yet touched, floored at 0); call it between
     * forecasts.
     */
    public static synchronized void sample() {
        peakNativeMb = Math.max(peakNativeMb, Math.max(0, rssMb() - heapCommittedMb()));
    }

    /** Largest {@link #sample} since {@link #resetPeaks}, MiB; -1 without samples. */
    public static synchronized double peakNativeMb() {
        return peakNativeMb;
    }

    /** Sum over heap pools of their peak used bytes since {@link #resetPeaks}, in MiB. */
    public static double peakHeapMb() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum / 1048576.0;
    }

    /** Heap currently committed by the JVM, in MiB: the part of the resident set that is heap. */
    public static double heapCommittedMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1048576.0;
    }

    /** Resident set now ({@code VmRSS}), MiB; -1 where /proc is missing. */
    public static double rssMb() {
        return statusKb("VmRSS:") / 1024.0;
    }

    /** Peak resident set of the process ({@code VmHWM}), MiB; -1 where /proc is missing. */
    public static double peakRssMb() {
        return statusKb("VmHWM:") / 1024.0;
    }

    /** 1-minute load average of the machine, -1 if unavailable. */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    // "VmRSS:	  123456 kB"
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1024;
        }
        return -1024;
    }
}
