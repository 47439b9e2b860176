package io.patchcast.models.calf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import io.patchcast.models.module.Scalars;

import java.util.ArrayList;
import java.util.List;

/**
 * Port of CALF {@code AccustumGPT2Model} (models/GPT2_arch.py, the transformers-4.30 {@code
 * GPT2Model.forward}) on {@code inputs_embeds}, truncated to the first {@code gpt_layers} blocks,
 * with optional unmerged LoRA on {@code c_attn} (peft, fan_in_fan_out) (spec §3.4). Dropouts are
 * identity (eval, or p = 0 as in the fixtures).
 *
 * <p>Glossary: B batch, M variates (= GPT-2 positions), D n_embd, H heads.
 */
final class AccustumGpt2Model {

    private record Block(
            NDArray ln1Weight,
            NDArray ln1Bias,
            NDArray cAttnWeight, // (D, 3D) Conv1D
            NDArray cAttnBias, // (3D)
            NDArray loraA, // (D, r) = lora_A^T, or null
            NDArray loraB, // (r, 3D) = lora_B^T, or null
            NDArray cProjWeight, // (D, D)
            NDArray cProjBias,
            NDArray ln2Weight,
            NDArray ln2Bias,
            NDArray fcWeight, // (D, inner)
            NDArray fcBias,
            NDArray mlpProjWeight, // (inner, D)
            NDArray mlpProjBias) {}

    private final NDArray wpe; // (n_positions, D)
    private final Block[] h;
    private final NDArray lnFWeight;
    private final NDArray lnFBias;
    private final int numHeads;
    private final float loraScaling;

    /** {@code prefix} is {@code gpt2.} (time branch, LoRA when loaded) or {@code gpt2_text.}. */
    AccustumGpt2Model(CalfParameters p, String prefix) {
        CalfConfig c = p.config();
        this.wpe = p.get(prefix + "wpe.weight");
        this.h = new Block[c.gptLayers()];
        for (int i = 0; i < h.length; i++) {
            String b = prefix + "h." + i + ".";
            boolean lora = p.contains(b + "attn.c_attn.lora_A");
            h[i] =
                    new Block(
                            p.get(b + "ln_1.weight"),
                            p.get(b + "ln_1.bias"),
                            p.get(b + "attn.c_attn.weight"),
                            p.get(b + "attn.c_attn.bias"),
                            lora ? p.get(b + "attn.c_attn.lora_A") : null,
                            lora ? p.get(b + "attn.c_attn.lora_B") : null,
                            p.get(b + "attn.c_proj.weight"),
                            p.get(b + "attn.c_proj.bias"),
                            p.get(b + "ln_2.weight"),
                            p.get(b + "ln_2.bias"),
                            p.get(b + "mlp.c_fc.weight"),
                            p.get(b + "mlp.c_fc.bias"),
                            p.get(b + "mlp.c_proj.weight"),
                            p.get(b + "mlp.c_proj.bias"));
        }
        this.lnFWeight = p.get(prefix + "ln_f.weight");
        this.lnFBias = p.get(prefix + "ln_f.bias");
        this.numHeads = c.gptHeads();
        this.loraScaling = c.loraScaling();
    }

    /**
     * inputsEmbeds (B, M, D) -> the n+1 hidden states {@code [emb + wpe, block 0, ..., block n-2,
     * ln_f(block n-1)]}; the last one is {@code last_hidden_state}.
     */
    List<NDArray> forward(NDArray inputsEmbeds) {
        NDManager call = inputsEmbeds.getManager();
        long m = inputsEmbeds.getShape().get(1);
        if (m > wpe.getShape().get(0)) {
            throw new IllegalArgumentException(
                    String.format(
                            "%d variates exceed GPT-2's %d positions (the variate index is the"
                                    + " position)",
                            m, wpe.getShape().get(0)));
        }
        NDArray hs = inputsEmbeds.add(wpe.get(call, new NDIndex("0:{}", m)));
        NDArray causal = causalBias(call, m);
        List<NDArray> out = new ArrayList<>(h.length + 1);
        out.add(hs);
        for (int i = 0; i < h.length; i++) {
            hs = block(h[i], hs, causal);
            out.add(hs);
        }
        out.set(h.length, CalfOps.layerNorm(hs, lnFWeight, lnFBias, CalfConfig.LN_EPS));
        return out;
    }

    private NDArray block(Block b, NDArray hs, NDArray causal) {
        long d = hs.getShape().get(2);
        NDArray a = CalfOps.layerNorm(hs, b.ln1Weight(), b.ln1Bias(), CalfConfig.LN_EPS);
        NDArray qkv = CalfOps.linear(a, b.cAttnWeight(), b.cAttnBias()); // (B, M, 3D)
        if (b.loraA() != null) {
            // peft lora.Linear: base(x) + scaling * lora_B(lora_A(dropout(x)))
            qkv = qkv.add(Scalars.mul(a.matMul(b.loraA()).matMul(b.loraB()), loraScaling));
        }
        NDArray q = CalfOps.heads(qkv.get(new NDIndex("..., 0:{}", d)), numHeads);
        NDArray k = CalfOps.heads(qkv.get(new NDIndex("..., {}:{}", d, 2 * d)), numHeads);
        NDArray v = CalfOps.heads(qkv.get(new NDIndex("..., {}:", 2 * d)), numHeads);
        float scale = (float) (1.0 / Math.sqrt((double) d / numHeads));
        NDArray att = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), scale).add(causal).softmax(-1);
        NDArray o = CalfOps.linear(CalfOps.mergeHeads(att.matMul(v)), b.cProjWeight(), b.cProjBias());
        hs = hs.add(o);
        NDArray mIn = CalfOps.layerNorm(hs, b.ln2Weight(), b.ln2Bias(), CalfConfig.LN_EPS);
        NDArray mlp =
                CalfOps.linear(
                        CalfOps.geluNew(CalfOps.linear(mIn, b.fcWeight(), b.fcBias())),
                        b.mlpProjWeight(),
                        b.mlpProjBias());
        return hs.add(mlp);
    }

    /**
     * (M, M) additive mask: 0 where key <= query, else float32's lowest value, which the softmax
     * turns into an exact 0 as GPT2Attention's {@code torch.where(causal, w, finfo.min)} does.
     */
    private static NDArray causalBias(NDManager call, long m) {
        float[] v = new float[(int) (m * m)];
        for (int q = 0; q < m; q++) {
            for (int k = q + 1; k < m; k++) {
                v[(int) (q * m + k)] = -Float.MAX_VALUE;
            }
        }
        return call.create(v, new Shape(m, m));
    }
}
