package io.patchcast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

    static final ModelRef CALF_1 = new ModelRef("calf-db", "1");
    static final ModelRef CALF_2 = new ModelRef("calf-db", "2");
    static final ModelRef MOIRAI = new ModelRef("moirai-moe-small", "7");

    @Test
    void configuredRulesMatchInConfigurationOrderOnTheWholeKey() {
        RoutingTable t = RoutingTable.of(RouteRules.parse(
                "calf-db/1=cpu\\{host=\"db-.*\"\\}; moirai-moe-small/7=cpu.*"), List.of());
        assertThat(t.match("cpu{host=\"db-1\"}").target()).isEqualTo(CALF_1);
        assertThat(t.match("cpu{host=\"web-1\"}").target()).isEqualTo(MOIRAI);
        // the pattern must match the whole key, not a substring
        assertThat(t.match("xcpu{host=\"db-1\"}")).isNull();
        assertThat(t.candidates("disk")).isEmpty();
        // a db host matches both rules: the first decides, the second is what served it otherwise
        assertThat(t.candidates("cpu{host=\"db-1\"}")).containsExactly(CALF_1, MOIRAI);
    }

    @Test
    void aPatternThatBacktracksWithoutEndGivesUpOnThatKeyAndTheNextRuleDecides() {
        // (.*_){15} tries every way to pick 15 of the key's 31 underscores before failing: minutes or more
        RouteRule evil = RouteRule.route("(.*_){15}db", CALF_1, null, 2000);
        RoutingTable t = RoutingTable.of(RouteRules.parse("moirai-moe-small/7=node_.*"), List.of(evil));
        String key = "node_cpu_seconds_total_mode_idle_cpu_core_socket_numa_a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p_q_r_s_t_u_v{host=\"web\"}";
        long start = System.nanoTime();
        assertThat(t.match(key).target()).isEqualTo(MOIRAI);
        assertThat(t.candidates(key)).containsExactly(MOIRAI);
        assertThat((System.nanoTime() - start) / 1e9).as("seconds for two matches").isLessThan(5);
        // keys it can decide within the budget still go to it
        assertThat(t.match("a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_db").target()).isEqualTo(CALF_1);
    }

    @Test
    void aPatternThatOverflowsTheStackOnALongKeyDoesNotApplyToIt() {
        // java.util.regex recurses once per repetition of an alternation: 100k of them overflow the stack
        RouteRule deep = RouteRule.route("(a|b)*", CALF_1, null, 2000);
        RoutingTable t = RoutingTable.of(RouteRules.parse("moirai-moe-small/7=.*"), List.of(deep));
        assertThat(t.match("a".repeat(100_000)).target()).isEqualTo(MOIRAI);
        assertThat(t.match("abba").target()).isEqualTo(CALF_1);
    }

    @Test
    void mostRecentlyIssuedControlRuleComesFirstThenConfiguredRules() {
        List<RouteRule> config = RouteRules.parse("moirai-moe-small/7=.*");
        RouteRule older = RouteRule.route("cpu.*", CALF_1, null, 1000);
        RouteRule newer = RouteRule.route("cpu\\{host=\"db-1\"\\}", CALF_2, null, 2000);
        RoutingTable t = RoutingTable.of(config, List.of(older, newer));
        assertThat(t.rules()).containsExactly(newer, older, config.get(0));
        assertThat(t.match("cpu{host=\"db-1\"}").target()).isEqualTo(CALF_2);
        assertThat(t.match("cpu{host=\"db-2\"}").target()).isEqualTo(CALF_1);
        assertThat(t.match("mem").target()).isEqualTo(MOIRAI);
    }

    @Test
    void equalIssueTimesAreOrderedByPatternSoEverySubtaskAgrees() {
        RouteRule b = RouteRule.route("b.*", CALF_1, null, 5);
        RouteRule a = RouteRule.route("a.*|b.*", CALF_2, null, 5);
        assertThat(RoutingTable.of(List.of(), List.of(b, a)).rules()).containsExactly(a, b);
        assertThat(RoutingTable.of(List.of(), List.of(a, b)).rules()).containsExactly(a, b);
    }

    @Test
    void controlCommandForAConfiguredPatternReplacesIt() {
        List<RouteRule> config = RouteRules.parse("calf-db/1=db.*;moirai-moe-small/7=.*");
        RoutingTable unrouted = RoutingTable.of(config, List.of(RouteRule.unroute("db.*", 10)));
        assertThat(unrouted.rules()).containsExactly(config.get(1));
        assertThat(unrouted.match("db1").target()).isEqualTo(MOIRAI);
        RoutingTable rerouted = RoutingTable.of(config, List.of(RouteRule.route("db.*", CALF_2, null, 10)
                .over(config.get(0))));
        assertThat(rerouted.candidates("db1")).containsExactly(CALF_2, CALF_1, MOIRAI);
    }

    @Test
    void aRouteOverAnotherKeepsTheVersionsItServedNewestFirstWithoutRepeats() {
        RouteRule v1 = RouteRule.route("db.*", CALF_1, null, 1);
        RouteRule v2 = RouteRule.route("db.*", CALF_2, null, 2).over(v1);
        assertThat(v2.previous()).containsExactly(CALF_1);
        RouteRule backToV1 = RouteRule.route("db.*", CALF_1, null, 3).over(v2);
        assertThat(backToV1.previous()).containsExactly(CALF_2);
        RouteRule m = RouteRule.route("db.*", MOIRAI, null, 4).over(backToV1);
        assertThat(m.previous()).containsExactly(CALF_1, CALF_2);
        ModelRef x = new ModelRef("x", "1");
        ModelRef y = new ModelRef("y", "1");
        RouteRule capped = RouteRule.route("db.*", y, null, 6).over(RouteRule.route("db.*", x, null, 5).over(m));
        assertThat(capped.previous()).hasSize(RouteRule.MAX_PREVIOUS).containsExactly(x, MOIRAI, CALF_1);
        // an UNROUTE forgets the history: nothing of that pattern serves any more
        assertThat(RouteRule.unroute("db.*", 7).over(capped).previous()).isEmpty();
    }

    @Test
    void configSyntaxTakesChannelsAndPatternsHoldingEqualsSigns() {
        List<RouteRule> r = RouteRules.parse(
                " calf-db/3[cpu{host=\"db-1\"}|mem{host=\"db-1\"}]=(cpu|mem)\\{host=\"db-1\"\\} ;; a/b=x=y\\x3Bz");
        assertThat(r).hasSize(2);
        assertThat(r.get(0).target()).isEqualTo(new ModelRef("calf-db", "3"));
        assertThat(r.get(0).channels()).containsExactly("cpu{host=\"db-1\"}", "mem{host=\"db-1\"}");
        assertThat(r.get(0).seriesPattern()).isEqualTo("(cpu|mem)\\{host=\"db-1\"\\}");
        assertThat(r.get(1).seriesPattern()).isEqualTo("x=y\\x3Bz");
        assertThat(RoutingTable.of(r, List.of()).match("x=y;z").target()).isEqualTo(new ModelRef("a", "b"));
        assertThat(RouteRules.parse("  ")).isEmpty();
    }

    @Test
    void aRuleWithChannelsAppliesOnlyToTheSeriesItNames() {
        RouteRule calf = RouteRule.route(".*\\{host=\"db-1\"\\}", CALF_1,
                new String[] {"cpu{host=\"db-1\"}", "mem{host=\"db-1\"}"}, 0);
        RouteRule all = RouteRule.route(".*", MOIRAI, null, 0);
        RoutingTable t = RoutingTable.of(List.of(calf, all), List.of());
        assertThat(t.match("cpu{host=\"db-1\"}")).isEqualTo(calf);
        assertThat(t.candidates("mem{host=\"db-1\"}")).containsExactly(CALF_1, MOIRAI);
        // matches the pattern but is not a channel of the model: the next rule
        assertThat(t.match("disk{host=\"db-1\"}")).isEqualTo(all);
        assertThat(t.candidates("disk{host=\"db-1\"}")).containsExactly(MOIRAI);
    }

    @Test
    void badRulesAreRejectedSayingWhatIsExpected() {
        assertThatThrownBy(() -> RouteRules.parse("calf-db/1"))
                .hasMessageContaining("routing rule 'calf-db/1': no '='");
        assertThatThrownBy(() -> RouteRules.parse("calf-db=cpu.*"))
                .hasMessageContaining("the target 'calf-db' is not <model>/<version>");
        assertThatThrownBy(() -> RouteRules.parse("calf-db/1=cpu(.*"))
                .hasMessageContaining("series pattern 'cpu(.*' is not a Java regular expression");
        assertThatThrownBy(() -> RouteRules.parse("calf/../x=cpu"))
                .hasMessageContaining("must be one folder name");
        assertThatThrownBy(() -> RouteRules.parse("calf/1[a|b|a]=.*"))
                .hasMessageContaining("channel 'a' is named twice");
        assertThatThrownBy(() -> RouteRules.parse("calf/1[a|=cpu"))
                .hasMessageContaining("'[' without ']='");
    }
}
