package io.patchcast.it;

import io.patchcast.cli.data.NabInput;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the job must write for in-order input on a regular grid, computed independently of the job's
 * code from the design's rules: a point snapping to an occupied slot is a duplicate; patch P >= 2
 * gets exactly one forecast when its first slot's predecessor (the last slot of P-1) or any of its
 * own slots is observed.
 */
final class ExpectedCounts {
    final Set<String> anomalyKeys = new HashSet<>();
    final Map<String, Integer> forecastsPerSeries = new HashMap<>();
    int duplicates;

    static ExpectedCounts of(List<NabInput.SeriesFile> files, long stepMillis, int patch) {
        ExpectedCounts e = new ExpectedCounts();
        for (NabInput.SeriesFile f : files) {
            long[] ts = f.csv().timestamps();
            BitSet seen = new BitSet();
            for (long t : ts) {
                int slot = (int) Math.round((t - ts[0]) / (double) stepMillis);
                if (seen.get(slot)) {
                    e.duplicates++;
                } else {
                    seen.set(slot);
                    e.anomalyKeys.add(f.seriesKey() + "@" + t);
                }
            }
            int patches = seen.length() / patch + 1;
            int forecasts = 0;
            for (int p = 2; p <= patches; p++) {
                boolean ownPoint = !seen.get(p * patch, (p + 1) * patch).isEmpty();
                if (seen.get(p * patch - 1) || ownPoint) {
                    forecasts++;
                }
            }
            e.forecastsPerSeries.put(f.seriesKey(), forecasts);
        }
        return e;
    }

    int forecasts() {
        return forecastsPerSeries.values().stream().mapToInt(Integer::intValue).sum();
    }
}
