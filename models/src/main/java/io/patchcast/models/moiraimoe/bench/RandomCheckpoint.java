package io.patchcast.models.moiraimoe.bench;

import io.patchcast.models.distribution.DistrParamProj;

import io.patchcast.models.io.MoiraiMoEConfig;
import io.patchcast.models.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a Moirai-MoE checkpoint with random weights in the HF key format (spec §3), e.g. of the
 * released small shapes (d_model 384, d_ff 512, 6 layers) for benchmarks. Linear weights are
 * uniform in +-1/sqrt(fan_in) like nn.Linear's default init; norms are 1; centroids N(0, 1) in F64.
 */
public final class RandomCheckpoint {

    /** Released dimensions (spec §1, HF config.json of moirai-moe-1.0-R-small / -base). */
    public enum Released {
        SMALL(384, 512, 6),
        BASE(768, 1024, 12);

        public final int dModel;
        public final int dFf;
        public final int numLayers;

        Released(int dModel, int dFf, int numLayers) {
            this.dModel = dModel;
            this.dFf = dFf;
            this.numLayers = numLayers;
        }
    }

    private RandomCheckpoint() {}

    /** Writes random weights of the released {@code shapes} into {@code dir}. */
    public static Path write(Path dir, Released shapes, long seed) throws IOException {
        return write(dir, shapes.dModel, shapes.dFf, shapes.numLayers, seed);
    }

    /** Writes {@code config.json} and {@code model.safetensors} into {@code dir}; returns dir. */
    public static Path write(Path dir, int dModel, int dFf, int layers, long seed)
            throws IOException {
        Files.createDirectories(dir);
        SplittableRandom r = new SplittableRandom(seed);
        SafetensorsWriter w = new SafetensorsWriter();
        int p = 16;
        linear(w, r, "in_proj.weight", p, 1, dModel, p);
        bias(w, r, "in_proj.bias", p, 1, dModel);
        linear(w, r, "res_proj.weight", p, 1, dModel, p);
        bias(w, r, "res_proj.bias", p, 1, dModel);
        linear(w, r, "feat_proj.weight", dModel, 1, dModel, dModel);
        bias(w, r, "feat_proj.bias", dModel, 1, dModel);
        double[] c = new double[layers * 32 * dModel];
        for (int i = 0; i < c.length; i++) {
            c[i] = r.nextGaussian();
        }
        w.putF64("encoder.centroid", c, layers, 32, dModel);
        int heads = dModel / 64;
        for (int l = 0; l < layers; l++) {
            String pre = "encoder.layers." + l + ".";
            float[] emb = new float[2 * heads];
            for (int i = 0; i < emb.length; i++) {
                emb[i] = (float) r.nextGaussian();
            }
            w.putF32(pre + "self_attn.var_attn_bias.emb.weight", emb, 2, heads);
            for (String k : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                linear(w, r, pre + "self_attn." + k + ".weight", dModel, dModel, dModel);
            }
            ones(w, pre + "self_attn.q_norm.weight", 64);
            ones(w, pre + "self_attn.k_norm.weight", 64);
            ones(w, pre + "norm1.weight", dModel);
            ones(w, pre + "norm2.weight", dModel);
            for (int e = 0; e < 32; e++) {
                String ep = pre + "ffn.experts." + e + ".";
                linear(w, r, ep + "fc1.weight", dModel, dFf, dModel);
                linear(w, r, ep + "fc_gate.weight", dModel, dFf, dModel);
                linear(w, r, ep + "fc2.weight", dFf, dModel, dFf);
            }
        }
        ones(w, "encoder.norm.weight", dModel);
        String[] leaves = DistrParamProj.LEAVES; // the head's own key layout, not a copy
        for (String leaf : leaves) {
            int out = (leaf.equals("weights_logits") ? 4 : 1) * p;
            linear(w, r, "param_proj.proj." + leaf + ".weight", dModel, 1, out, dModel);
            bias(w, r, "param_proj.proj." + leaf + ".bias", dModel, 1, out);
        }
        w.write(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), MoiraiMoEConfig.releasedJson(dModel, dFf, layers));
        return dir;
    }

    private static void linear(
            SafetensorsWriter w, SplittableRandom r, String key, int fanIn, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        double a = 1 / Math.sqrt(fanIn);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2 * r.nextDouble() - 1) * a);
        }
        w.putF32(key, v, shape);
    }

    private static void bias(
            SafetensorsWriter w, SplittableRandom r, String key, int fanIn, long... shape) {
        linear(w, r, key, fanIn, shape);
    }

    private static void ones(SafetensorsWriter w, String key, int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        w.putF32(key, v, n);
    }
}
