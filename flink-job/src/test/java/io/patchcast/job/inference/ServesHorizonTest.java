package io.patchcast.job.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchcast.models.api.ForecastRequest;
import io.patchcast.models.api.Forecaster;
import io.patchcast.models.api.QuantileForecast;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServesHorizonTest {

    static final class ShortModel implements Forecaster {
        boolean closed;

        @Override
        public String name() {
            return "calf-short";
        }

        @Override
        public String version() {
            return "4";
        }

        @Override
        public int patchSize() {
            return 1;
        }

        @Override
        public int maxHorizon() {
            return 8;
        }

        @Override
        public List<QuantileForecast> forecast(List<ForecastRequest> batch, int horizon) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void aVersionThatCannotForecastThePatchFailsItsLoadSayingWhy() {
        ShortModel m = new ShortModel();
        assertThat(AsyncInference.servesHorizon(m, 8)).isSameAs(m);
        assertThatThrownBy(() -> AsyncInference.servesHorizon(m, 16))
                .hasMessageContaining("calf-short@4 forecasts at most 8 steps, the job forecasts 16")
                .hasMessageContaining("--pred-len 16");
        assertThat(m.closed).isTrue();
    }
}
