package io.patchcast.job.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.api.QuantileGrid;
import io.patchcast.models.fallback.SeasonalNaiveForecaster;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fallback path answers every request: a throw there would fail the task and replay the same input. */
class FallbackForecastTest {

    static InferenceRequest request(float[] values) {
        boolean[] observed = new boolean[values.length];
        Arrays.fill(observed, true);
        return new InferenceRequest("bytes{host=\"a\"}", 32_000, 1000, 31_000, values, observed);
    }

    @Test
    void ordinaryContextsGetTheFallbackModelsForecast() {
        float[] v = new float[32];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 4;
        }
        SeasonalNaiveForecaster naive = new SeasonalNaiveForecaster();
        QuantileForecast expected = naive.forecast(List.of(request(v).toForecastRequest()), 16).get(0);
        QuantileForecast f = AsyncInference.fallbackForecast(naive, request(v), 16);
        assertThat(f.quantiles()).containsExactly(expected.quantiles());
        assertThat(f.mean()).containsExactly(expected.mean());
    }

    @Test
    void aFallbackThatFailsGivesTheLastObservedValueInsteadOfFailingTheTask() {
        // values near the float limit: the seasonal-naive intervals overflow to infinity
        float[] v = new float[32];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 2 == 0 ? 3.0e38f : -3.0e38f) * (1 + (i % 3)) / 3;
        }
        v[31] = 7.5f;
        SeasonalNaiveForecaster naive = new SeasonalNaiveForecaster();
        assertThatThrownBy(() -> naive.forecast(List.of(request(v).toForecastRequest()), 16))
                .as("the case must make the fallback model fail").isInstanceOf(RuntimeException.class);

        QuantileForecast f = AsyncInference.fallbackForecast(naive, request(v), 16);
        assertThat(f.horizon()).isEqualTo(16);
        assertThat(f.quantiles()).hasSize(16 * QuantileGrid.size()).containsOnly(7.5f);
        assertThat(f.mean()).containsOnly(7.5f);
    }
}
