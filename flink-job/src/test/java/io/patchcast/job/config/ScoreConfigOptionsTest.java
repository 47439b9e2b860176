package io.patchcast.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.PatchcastJob;
import io.patchcast.job.score.ScoreConfig;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Every anomaly option reaches the job's {@link ScoreConfig}. */
class ScoreConfigOptionsTest {

    @Test
    void eachAnomalyOptionReachesTheScoreConfig() {
        Configuration c = new Configuration();
        c.set(AnomalyOptions.METHOD, ScoreConfig.Method.TAIL);
        c.set(AnomalyOptions.LEVEL, 0.95);
        c.set(AnomalyOptions.THRESHOLD, 0.7);
        c.set(AnomalyOptions.SHORT_WINDOW, 5);
        c.set(AnomalyOptions.HISTORY, 1234);
        c.set(AnomalyOptions.SURPRISE_POWER, 1.0 / 3);
        c.set(AnomalyOptions.SEASONAL_TOLERANCE, Duration.ofMinutes(45));
        c.set(AnomalyOptions.RANGE_TOLERANCE, 0.2);
        c.set(AnomalyOptions.LEVEL_WINDOW, 96);
        c.set(AnomalyOptions.LEVEL_TOLERANCE, 0.3);
        c.set(AnomalyOptions.SHAPE_WINDOW, 24);
        c.set(AnomalyOptions.SHAPE_TOLERANCE, 0.4);
        c.set(AnomalyOptions.QUIET_WINDOW, 144);
        c.set(AnomalyOptions.QUIET_TOLERANCE, 2.5);
        c.set(AnomalyOptions.NOVELTY_HOLD, 7);
        assertThat(PatchcastJob.scoreConfig(c)).isEqualTo(new ScoreConfig(ScoreConfig.Method.TAIL, 0.95, 0.7, 5, 1234,
                1.0 / 3, Duration.ofMinutes(45), 0.2, 96, 0.3, 24, 0.4, 144, 2.5, 7));
    }
}
