package io.patchcast.models.calf;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random initialisation of every CALF tensor (canonical names, checkpoint orientation) as
 * the reference's constructors draw them: torch {@code nn.Linear} U(+-1/sqrt(in)) for weight and
 * bias, {@code nn.MultiheadAttention} xavier-uniform {@code in_proj_weight} and zero biases,
 * LayerNorm (1, 0), peft LoRA A U(+-1/sqrt(in)) and B = 0, and, when no pretrained GPT-2 is given,
 * the Hugging Face GPT-2 init (normal(0, 0.02), residual projections 0.02/sqrt(2 n_layer), zero
 * biases). Same seed, same tensors; the random stream is Java's, not torch's.
 */
public final class CalfInit {

    /** GPT2Config.initializer_range. */
    static final double GPT2_INIT_STD = 0.02;

    private CalfInit() {}

    /**
     * All tensors of a CALF model; {@code gpt2Layers} is the depth the GPT-2 init scales its
     * residual projections by (12 for GPT-2 small).
     */
    public static Map<String, float[]> random(CalfConfig c, long seed, int gpt2Layers) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>(CalfParameters.timeBranchShapes(c));
        shapes.putAll(CalfParameters.loraShapes(c));
        shapes.putAll(CalfParameters.textBranchShapes(c));
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            out.put(e.getKey(), init(e.getKey(), e.getValue(), c, rnd, gpt2Layers));
        }
        return out;
    }

    /** Random GPT-2 token embeddings (vocab, d), HF init, for the PCA of a model without GPT-2. */
    public static float[] randomWte(int vocab, int dModel, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        float[] v = new float[vocab * dModel];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (gaussian(rnd) * GPT2_INIT_STD);
        }
        return v;
    }

    private static float[] init(String name, long[] shape, CalfConfig c, SplittableRandom rnd, int gpt2Layers) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        float[] v = new float[n];
        boolean gpt2 = name.startsWith("gpt2");
        if (name.endsWith(".lora_B") || (name.endsWith("bias") && (gpt2 || name.contains("in_proj")
                || name.contains("out_proj") || name.contains("norm")))) {
            return v; // zeros
        }
        if (name.contains("ln_") || name.contains("norm")) { // LayerNorm weight
            java.util.Arrays.fill(v, 1f);
            return v;
        }
        if (gpt2 && !name.endsWith(".lora_A")) {
            double std = name.endsWith("c_proj.weight") ? GPT2_INIT_STD / Math.sqrt(2.0 * gpt2Layers) : GPT2_INIT_STD;
            for (int i = 0; i < n; i++) {
                v[i] = (float) (gaussian(rnd) * std);
            }
            return v;
        }
        double bound;
        if (name.endsWith("in_proj_weight")) { // xavier_uniform over (3d, d)
            bound = Math.sqrt(6.0 / (shape[0] + shape[1]));
        } else if (shape.length == 2) { // (out, in): kaiming_uniform(a=sqrt 5) = U(+-1/sqrt(in))
            bound = 1.0 / Math.sqrt(shape[1]);
        } else { // Linear bias: U(+-1/sqrt(fan_in)), fan_in of the matching weight
            bound = 1.0 / Math.sqrt(fanIn(name, c));
        }
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    private static int fanIn(String biasName, CalfConfig c) {
        if (biasName.equals("in_layer.linear.bias")) {
            return c.seqLen();
        }
        if (biasName.endsWith("linear2.bias")) {
            return c.dimFeedforward();
        }
        return c.dModel(); // linear1.bias, out_layer.bias
    }

    private static double gaussian(SplittableRandom rnd) {
        // Box-Muller, one value per call: deterministic for a seed
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
