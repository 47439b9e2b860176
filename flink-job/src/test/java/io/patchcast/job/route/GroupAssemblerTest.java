package io.patchcast.job.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.inference.InferenceTask;
import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.store.ModelRef;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class GroupAssemblerTest {

    static final String[] CH = {"cpu{host=\"a\"}", "mem{host=\"a\"}", "disk{host=\"a\"}"};
    static final ModelRef[] CALF = {new ModelRef("calf-a", "1")};
    static final long STEP = 60_000;

    static RoutedRequest member(String key, long patchStart) {
        return new RoutedRequest(new InferenceRequest(key, patchStart, STEP, patchStart - STEP, new float[] {1, 2},
                new boolean[] {true, true}), CALF, CH);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, RoutedRequest, InferenceTask> harness() throws Exception {
        return harness(Duration.ofMinutes(5));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, RoutedRequest, InferenceTask> harness(Duration wait)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new GroupAssembler(wait)),
                RoutedRequest::groupKey, Types.STRING);
    }

    @Test
    void aCompleteGroupIsOneTaskInChannelOrderWhateverOrderItArrivedIn() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(member(CH[2], 960_000), 0);
            h.processElement(member(CH[0], 960_000), 0);
            h.processElement(member(CH[0], 1_920_000), 0); // the next patch, pending
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement(member(CH[1], 960_000), 0);
            List<InferenceTask> out = h.extractOutputValues();
            assertThat(out).singleElement().satisfies(t -> {
                assertThat(t.channels()).containsExactly(CH);
                assertThat(Arrays.stream(t.requests()).map(InferenceRequest::seriesKey)).containsExactly(CH);
                assertThat(t.requests()[0].patchStart()).isEqualTo(960_000);
                assertThat(t.candidates()).containsExactly(CALF);
            });
            assertThat(h.numEventTimeTimers()).isEqualTo(1); // only the pending patch's
        }
    }

    @Test
    void anIncompleteGroupIsForecastMemberByMemberOnceTheWatermarkPassesTheWait() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(member(CH[0], 960_000), 0);
            h.processElement(member(CH[1], 960_000), 0);
            h.processWatermark(960_000 + 299_999);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(960_000 + 300_000);
            List<InferenceTask> out = h.extractOutputValues();
            assertThat(out).hasSize(2).allSatisfy(t -> {
                assertThat(t.isGroup()).isFalse();
                assertThat(t.candidates()).containsExactly(CALF); // single-series candidates only, at serving
            });
            // the straggler comes after its group was given up: on its own, at once
            h.processElement(member(CH[2], 960_000), 0);
            assertThat(h.extractOutputValues()).hasSize(3);
            assertThat(h.extractOutputValues().get(2).requests()[0].seriesKey()).isEqualTo(CH[2]);
        }
    }

    @Test
    void pendingMembersSurviveARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(member(CH[0], 960_000), 0);
            h.processElement(member(CH[1], 960_000), 0);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(member(CH[2], 960_000), 0);
            assertThat(h.extractOutputValues()).singleElement()
                    .satisfies(t -> assertThat(t.channels()).containsExactly(CH));
        }
    }

    @Test
    void restoredWithALongerWaitAGroupIsGivenUpAtItsNewDeadlineNotNever() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(Duration.ofMinutes(5))) {
            h.open();
            h.processElement(member(CH[0], 960_000), 0);
            h.processElement(member(CH[1], 960_000), 0);
            snapshot = h.snapshot(1, 1); // its timer: 960 000 + 5 min
        }
        try (var h = harness(Duration.ofMinutes(10))) {
            h.initializeState(snapshot);
            h.open();
            h.processWatermark(960_000 + 300_000); // the old timer: too early under the new wait
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(960_000 + 600_000 - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(960_000 + 600_000); // before the fix: no timer left, the members waited forever
            assertThat(h.extractOutputValues()).hasSize(2).allMatch(t -> !t.isGroup());
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
