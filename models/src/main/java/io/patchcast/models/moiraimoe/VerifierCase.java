package io.patchcast.models.moiraimoe;

import com.fasterxml.jackson.databind.JsonNode;

import io.patchcast.models.distribution.Mixture;
import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.TensorInfo;
import io.patchcast.models.moiraimoe.MoiraiMoEVerifier.TensorCheck;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The deterministic checks of one fixture case: preprocessing, packing, calls, AR replay. */
final class VerifierCase extends FixtureChecks {

    final MoiraiMoEModule module;
    final JsonNode meta;
    final int b;
    final int c;
    final int h;
    final int d;

    VerifierCase(
            MoiraiMoEModule module, JsonNode meta, SafetensorsReader fx, List<TensorCheck> checks) {
        super(fx, checks);
        this.module = module;
        this.meta = meta;
        this.b = meta.get("batch_size").asInt();
        this.c = meta.get("context_length").asInt();
        this.h = meta.get("prediction_length").asInt();
        this.d = meta.get("target_dim").asInt();
    }

    void run() throws IOException {
        int sReplay = meta.get("replay_num_samples").asInt();
        MoiraiMoEForecast fc = new MoiraiMoEForecast(module, c, h, d, sReplay);
        // preprocessing (spec §5.1)
        List<float[][]> series = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            series.add(
                    timeMajor(
                            fx.floats("input.series." + i), fx.info("input.series." + i).shape()));
        }
        MoiraiMoEForecast.PastInputs past = fc.preprocess(series);
        exact("input.past_target", toDouble(past.pastTarget()));
        exact("input.past_observed_target", toDouble(past.pastObserved()));
        exact("input.past_is_pad", toDouble(past.pastIsPad()));
        PackedBatch packed = fc.convert(past);
        // AR replay with the recorded draws injected (spec §9)
        float[] replay = fx.floats("forecast.replay.samples"); // (B, S, H[, D])
        Map<Integer, Map<String, float[]>> recorded = new HashMap<>();
        MoiraiMoEForecast.CallObserver obs =
                new MoiraiMoEForecast.CallObserver() {
                    @Override
                    public TensorRecorder recorder(int call) {
                        Map<String, float[]> m =
                                recorded.computeIfAbsent(call, k -> new HashMap<>());
                        return (n, v, shape) -> m.put(n, v);
                    }

                    @Override
                    public void input(int call, PackedBatch in) {
                        checkInputs(call, in);
                    }

                    @Override
                    public void output(int call, Mixture mixture) {
                        Map<String, float[]> m = recorded.get(call);
                        for (String p :
                                new String[] {
                                    "weights_logits",
                                    "c0_student_t.df",
                                    "c0_student_t.loc",
                                    "c0_student_t.scale",
                                    "c1_normal_fixed_scale.loc",
                                    "c2_negative_binomial.total_count",
                                    "c2_negative_binomial.logits",
                                    "c3_log_normal.loc",
                                    "c3_log_normal.scale"
                                }) {
                            m.put("param." + p, mixture.param(p));
                        }
                        float[] mean = new float[mixture.tokens() * 16];
                        for (int t = 0; t < mixture.tokens(); t++) {
                            for (int p = 0; p < 16; p++) {
                                mean[t * 16 + p] = mixture.mean(t, p);
                            }
                        }
                        m.put("mean", mean);
                    }
                };
        MoiraiMoEForecast.PatchSampler injected =
                (step, mix, token, path, row, variate, out) -> {
                    for (int j = 0; j < 16; j++) {
                        int hh = step * 16 + j;
                        out[j] =
                                hh < h
                                        ? replay[((row * sReplay + path) * h + hh) * d + variate]
                                        : 0f;
                    }
                };
        float[] samples = fc.forward(packed, injected, obs);
        exact("forecast.replay.samples", toDouble(samples));
        int calls = meta.get("num_module_calls").asInt();
        if (recorded.size() != calls) {
            fail("calls", "made " + recorded.size() + " module calls, fixture has " + calls);
        }
        for (int k = 0; k < calls; k++) {
            compareCall(k, recorded.getOrDefault(k, Map.of()));
        }
        VerifierStatistics.check(this, fc, packed);
    }

    void checkInputs(int call, PackedBatch in) {
        String p = "call" + call + ".in.";
        try {
            exact(p + "target", toDouble(in.target()));
            exact(p + "observed_mask", toDouble(in.observedMask()));
            exact(p + "sample_id", toDouble(in.sampleId()));
            exact(p + "time_id", toDouble(in.timeId()));
            exact(p + "variate_id", toDouble(in.variateId()));
            exact(p + "prediction_mask", toDouble(in.predictionMask()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    void compareCall(int k, Map<String, float[]> rec) throws IOException {
        String pre = "call" + k + ".";
        for (TensorInfo info : fx.tensors().values()) {
            String full = info.name();
            if (!full.startsWith(pre) || full.startsWith(pre + "in.")) {
                continue;
            }
            String n = full.substring(pre.length());
            float[] actual = rec.get(n);
            if (actual == null) {
                fail(full, "not produced by the port");
                continue;
            }
            double[] exp = read(full);
            if (n.endsWith("gate.experts")) {
                experts(
                        full,
                        toDouble(actual),
                        exp,
                        read(full.replace("gate.experts", "gate.margin")));
            } else if (n.equals("attn_mask")) {
                compare(full, toDouble(actual), exp, 0, 0, "");
            } else if (n.startsWith("scaler.")) {
                compare(
                        full,
                        toDouble(actual),
                        exp,
                        0,
                        MoiraiMoEVerifier.SCALER_RTOL,
                        "float64 scaler");
            } else {
                compare(
                        full,
                        toDouble(actual),
                        exp,
                        MoiraiMoEVerifier.ATOL,
                        MoiraiMoEVerifier.RTOL,
                        "");
            }
        }
    }
}
