package io.patchcast.models.calf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Port of CALF {@code Model.forecast} (models/CALF.py, long_term_forecast): instance normalisation,
 * {@link EncoderPca}, the LoRA GPT-2 time branch and the frozen GPT-2 text branch, residuals,
 * feature projections, the shared {@code out_layer} and de-normalisation (spec §3.1–3.6).
 *
 * <p>All results belong to the manager of the input. Glossary: B batch, L seq_len, M variates, D
 * d_model, H pred_len, n gpt_layers.
 */
public final class CalfModel {

    private final CalfParameters params;
    private final EncoderPca inLayer;
    private final AccustumGpt2Model gpt2;
    private final AccustumGpt2Model gpt2Text; // null without the text branch
    private final NDArray outLayerT; // (D, H)
    private final NDArray outLayerBias; // (H)

    public CalfModel(CalfParameters params) {
        this.params = params;
        this.inLayer = new EncoderPca(params);
        this.gpt2 = new AccustumGpt2Model(params, "gpt2.");
        this.gpt2Text = params.textBranch() ? new AccustumGpt2Model(params, "gpt2_text.") : null;
        this.outLayerT = params.get("out_layer.weight");
        this.outLayerBias = params.get("out_layer.bias");
    }

    /**
     * The forecast (B, H, M) row-major of raw windows x (B, L, M), time branch only, computed in a
     * sub-manager of the parameters' manager (no gradient is recorded outside a collector).
     */
    public float[] predict(float[] x, int batch, int variates) {
        CalfConfig c = params.config();
        try (NDManager call = params.manager().newSubManager()) {
            NDArray xs = call.create(x, new Shape(batch, c.seqLen(), variates));
            return forward(xs, null).outputsTime().toFloatArray();
        }
    }

    public CalfParameters params() {
        return params;
    }

    /**
     * The forward tensors by their fixture names ({@code outputs_time}, {@code
     * features_text.0}, ...; calf fixtures README).
     */
    public record Outputs(Map<String, NDArray> tensors) {
        public NDArray get(String name) {
            NDArray a = tensors.get(name);
            if (a == null) {
                throw new IllegalArgumentException("no forward tensor '" + name + "'");
            }
            return a;
        }

        /** The forecast (B, H, M), de-normalised. */
        public NDArray outputsTime() {
            return get("outputs_time");
        }
    }

    /**
     * x (B, L, M) raw window; wordEmbedding (P, D) in x's manager, or null to run the time branch
     * alone (all that the forecast needs, spec §3.7).
     */
    public Outputs forward(NDArray x, NDArray wordEmbedding) {
        Map<String, NDArray> r = new LinkedHashMap<>();
        // §3.1 instance norm over time; statistics carry no gradient (x is data)
        NDArray means = x.mean(new int[] {1}, true); // (B, 1, M)
        NDArray xc = x.sub(means);
        NDArray stdev = xc.square().mean(new int[] {1}, true).add(CalfConfig.REVIN_EPS).sqrt();
        NDArray input = xc.div(stdev).transpose(0, 2, 1); // (B, M, L)
        r.put("revin.mean", means);
        r.put("revin.stdev", stdev);
        r.put("in_layer.input", input);
        boolean text = wordEmbedding != null && gpt2Text != null;
        EncoderPca.Output enc = inLayer.forward(input, text ? wordEmbedding : null);
        r.put("in_layer.linear_out", enc.linearOut());
        r.put("in_layer.x_time", enc.xTime());
        if (text) {
            r.put("in_layer.x_text", enc.xText());
            r.put("in_layer.cross_attn_weights", enc.crossAttnWeights());
        }
        branch(r, "time", gpt2, enc.xTime(), "time_proj", means, stdev);
        if (text) {
            branch(r, "text", gpt2Text, enc.xText(), "text_proj", means, stdev);
        }
        return new Outputs(r);
    }

    private void branch(
            Map<String, NDArray> r,
            String tag,
            AccustumGpt2Model model,
            NDArray tokens,
            String proj,
            NDArray means,
            NDArray stdev) {
        List<NDArray> hs = model.forward(tokens);
        int n = hs.size() - 1;
        for (int i = 0; i <= n; i++) {
            r.put("gpt2_" + tag + ".hidden_states." + i, hs.get(i));
        }
        r.put("gpt2_" + tag + ".last_hidden_state", hs.get(n));
        // CALF: outputs += outputs1 in place, which also changes hidden_states[-1] (spec §3.6)
        NDArray res = hs.get(n).add(tokens);
        List<NDArray> feats = new ArrayList<>(hs.subList(0, n));
        feats.add(res);
        if (params.contains(proj + ".0.weight")) {
            for (int i = 0; i <= n; i++) {
                r.put("features_" + tag + "." + i, feats.get(i).matMul(params.get(proj + "." + i + ".weight")));
            }
        }
        r.put(tag + ".out_layer_in", res);
        NDArray o = CalfOps.linear(res, outLayerT, outLayerBias); // (B, M, H)
        r.put(tag + ".out_layer_out", o);
        r.put("outputs_" + tag, o.transpose(0, 2, 1).mul(stdev).add(means));
    }
}
