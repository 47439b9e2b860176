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

    private ProcessMemory() {}

    /** Starts a new peak: resets the peak usage of every memory pool. */
    public static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
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
