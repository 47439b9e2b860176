package io.patchcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.QuantileForecast;
import io.patchcast.models.fallback.SeasonalNaiveForecaster;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MemoForecaster}: the same batch is forecast once, any difference in the request is a new forecast. */
class MemoForecasterTest {

    static ForecastRequest request(String key, long start, float last, boolean lastObserved) {
        float[] v = new float[32];
        boolean[] o = new boolean[32];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i / 3.0);
            o[i] = true;
        }
        v[31] = last;
        o[31] = lastObserved;
        return new ForecastRequest(key, start, v, o);
    }

    @Test
    void aRepeatedBatchIsServedFromMemoryAndEqualsTheModelsAnswer() {
        SeasonalNaiveForecaster model = new SeasonalNaiveForecaster();
        MemoForecaster memo = new MemoForecaster(model);
        List<ForecastRequest> batch = List.of(request("a", 1000, 0.5f, true), request("b", 1000, 0.5f, true));
        List<QuantileForecast> first = memo.forecast(batch, 16);
        List<QuantileForecast> again = memo.forecast(List.of(request("a", 1000, 0.5f, true), request("b", 1000, 0.5f, true)), 16);
        assertThat(memo.modelCalls()).isEqualTo(1);
        assertThat(again).isSameAs(first);
        assertThat(first.get(0).quantiles()).containsExactly(model.forecast(batch, 16).get(0).quantiles());
        // another value, observed flag, patch start or horizon is another forecast
        memo.forecast(List.of(request("a", 1000, 0.6f, true), request("b", 1000, 0.5f, true)), 16);
        memo.forecast(List.of(request("a", 1000, 0.5f, false), request("b", 1000, 0.5f, true)), 16);
        memo.forecast(List.of(request("a", 2000, 0.5f, true), request("b", 1000, 0.5f, true)), 16);
        memo.forecast(batch, 8);
        assertThat(memo.modelCalls()).isEqualTo(5);
    }
}
