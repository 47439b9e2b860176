package io.patchcast.job.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.job.inference.InferenceTask;
import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.store.ModelRef;
import io.patchcast.store.RouteRule;
import io.patchcast.store.RouteRules;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class RouterTest {

    static final ModelRef V1 = new ModelRef("calf-db", "1");
    static final ModelRef V2 = new ModelRef("calf-db", "2");
    static final ModelRef M = new ModelRef("moirai-moe-small", "7");
    static final String DB = "cpu{host=\"db-1\"}";
    static final String WEB = "cpu{host=\"web-1\"}";

    static InferenceRequest req(String key, long start) {
        return new InferenceRequest(key, start, 1000, start - 1000, new float[] {1, 2}, new boolean[] {true, true});
    }

    static TwoInputStreamOperatorTestHarness<InferenceRequest, RouteRule, InferenceTask> harness(
            List<RouteRule> configured) throws Exception {
        TwoInputStreamOperatorTestHarness<InferenceRequest, RouteRule, InferenceTask> h =
                new TwoInputStreamOperatorTestHarness<>(new CoBroadcastWithNonKeyedOperator<>(
                        new Router(configured), List.of(Router.RULES)));
        h.setup();
        return h;
    }

    static List<ModelRef> candidatesOf(TwoInputStreamOperatorTestHarness<InferenceRequest, RouteRule, InferenceTask> h,
            String key, long start) throws Exception {
        h.processElement1(req(key, start), start);
        InferenceTask last = (InferenceTask) ((org.apache.flink.streaming.runtime.streamrecord.StreamRecord<?>)
                h.getOutput().stream().filter(o -> o instanceof org.apache.flink.streaming.runtime.streamrecord.StreamRecord<?>)
                        .reduce((a, b) -> b).orElseThrow()).getValue();
        assertThat(last.requests()[0].patchStart()).isEqualTo(start);
        return Arrays.asList(last.candidates());
    }

    @Test
    void configuredRulesRouteUntilACommandTakesOverAndTheOldVersionStaysACandidate() throws Exception {
        try (var h = harness(RouteRules.parse("calf-db/1=cpu\\{host=\"db-.*\"\\};moirai-moe-small/7=cpu.*"))) {
            h.open();
            assertThat(candidatesOf(h, DB, 0)).containsExactly(V1, M);
            assertThat(candidatesOf(h, WEB, 0)).containsExactly(M);
            assertThat(candidatesOf(h, "mem", 0)).isEmpty();
            h.processElement2(RouteRule.route("cpu\\{host=\"db-.*\"\\}", V2, null, 1000), 0);
            // V2 first; V1 (what served the pattern) next, so requests stay on V1 until V2 is loaded
            assertThat(candidatesOf(h, DB, 16_000)).containsExactly(V2, V1, M);
            assertThat(candidatesOf(h, WEB, 16_000)).containsExactly(M);
        }
    }

    @Test
    void aCommandIssuedBeforeTheCurrentRuleIsIgnoredAndUnrouteRemovesTheRule() throws Exception {
        try (var h = harness(List.of())) {
            h.open();
            h.processElement2(RouteRule.route("cpu.*", V2, null, 2000), 0);
            h.processElement2(RouteRule.route("cpu.*", V1, null, 1000), 0); // replayed, older
            assertThat(candidatesOf(h, DB, 0)).containsExactly(V2);
            h.processElement2(RouteRule.unroute("cpu.*", 3000), 0);
            assertThat(candidatesOf(h, DB, 16_000)).isEmpty();
        }
    }

    @Test
    void rulesFromTheControlTopicSurviveARestoreFromACheckpoint() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(RouteRules.parse("calf-db/1=cpu.*"))) {
            h.open();
            h.processElement2(RouteRule.route("cpu.*", V2, null, 1000), 0);
            h.processElement2(RouteRule.route("mem.*", M, null, 1500), 0);
            snapshot = h.snapshot(1, 1);
        }
        try (var restored = harness(RouteRules.parse("calf-db/1=cpu.*"))) {
            restored.initializeState(snapshot);
            restored.open();
            assertThat(candidatesOf(restored, DB, 32_000)).containsExactly(V2, V1);
            assertThat(candidatesOf(restored, "mem", 32_000)).containsExactly(M);
        }
    }

    @Test
    void withoutAControlTopicTheConfiguredRulesRouteAlike() throws Exception {
        ConfiguredRouter r = new ConfiguredRouter(RouteRules.parse("calf-db/1=cpu\\{host=\"db-.*\"\\};moirai-moe-small/7=cpu.*"));
        try (var h = new org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.ProcessOperator<>(r))) {
            h.open();
            h.processElement(req(DB, 0), 0);
            h.processElement(req(WEB, 0), 0);
            h.processElement(req("mem", 0), 0);
            List<InferenceTask> out = h.extractOutputValues();
            assertThat(out.get(0).candidates()).containsExactly(V1, M);
            assertThat(out.get(1).candidates()).containsExactly(M);
            assertThat(out.get(2).candidates()).isEmpty();
        }
    }

    @Test
    void channelsOfAMultichannelRuleGoToTheGroupSideOutput() throws Exception {
        String mem = "mem{host=\"db-1\"}";
        ConfiguredRouter r = new ConfiguredRouter(RouteRules.parse(
                "calf-db/1[" + DB + "|" + mem + "]=.*\\{host=\"db-1\"\\};moirai-moe-small/7=.*"));
        try (var h = new org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.ProcessOperator<>(r))) {
            h.open();
            h.processElement(req(DB, 0), 0);
            h.processElement(req(mem, 0), 0);
            h.processElement(req("disk{host=\"db-1\"}", 0), 0); // matches the pattern, not a channel
            List<InferenceTask> main = h.extractOutputValues();
            assertThat(main).singleElement().satisfies(t -> {
                assertThat(t.requests()[0].seriesKey()).isEqualTo("disk{host=\"db-1\"}");
                assertThat(t.candidates()).containsExactly(M);
            });
            var members = h.getSideOutput(io.patchcast.job.Tags.GROUP_MEMBERS);
            assertThat(members).hasSize(2);
            for (var m : members) {
                assertThat(m.getValue().channels()).containsExactly(DB, mem);
                assertThat(m.getValue().candidates()).containsExactly(V1, M);
                assertThat(m.getValue().groupKey()).isEqualTo(DB + "\n" + mem);
            }
        }
    }
}
