package io.patchcast.job.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.PatchcastJob;
import io.patchcast.job.alert.AlertTracker;
import io.patchcast.job.patch.PatchAssembler;
import io.patchcast.job.source.Point;
import io.patchcast.models.fallback.SeasonalNaiveForecaster;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class OfflineRunTest {

    static OfflineRun.Result run(double... values) {
        Configuration conf = new Configuration();
        OfflineRun run = new OfflineRun(new PatchAssembler(PatchcastJob.patchConfig(conf)),
                new SeasonalNaiveForecaster(), PatchcastJob.scoreConfig(conf),
                new AlertTracker(PatchcastJob.alertPolicy(conf)));
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            points.add(Point.offline("k", 1_700_000_000_000L + 60_000L * i, values[i], "test.csv", i));
        }
        return run.run(points);
    }

    @Test
    void rejectsValuesBeyondTheFloatRangeAsTheJobsDecoderDoes() {
        double[] v = new double[40];
        for (int i = 0; i < v.length; i++) {
            v[i] = 10 + i % 4;
        }
        v[35] = 1e39;
        v[36] = -1e39;
        v[37] = Double.POSITIVE_INFINITY;
        v[38] = Float.MAX_VALUE; // the largest float is a value like any other
        OfflineRun.Result r = run(v);
        assertThat(r.rows()).hasSize(40);
        for (int i : new int[] {35, 36, 37}) {
            assertThat(r.rows().get(i).rejectReason()).as("row %d", i).isEqualTo("NON_FINITE");
            assertThat(r.rows().get(i).scored()).isNull();
        }
        assertThat(r.rows().get(35).rejectDetail()).contains("1.0E39", "32-bit float range");
        assertThat(r.rows().get(37).rejectDetail()).contains("Infinity", "expected a finite number");
        assertThat(r.rows().get(38).rejectReason()).isNull();
        assertThat(r.rows().get(38).scored()).isNotNull();
        assertThat(r.rows().get(34).rejectReason()).isNull();
    }
}
