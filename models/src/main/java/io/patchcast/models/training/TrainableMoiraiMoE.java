package io.patchcast.models.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import io.patchcast.models.distribution.DistrParamProj;
import io.patchcast.models.io.MoiraiMoEConfig;
import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.SafetensorsWriter;
import io.patchcast.models.module.AttentionContext;
import io.patchcast.models.module.GroupedQueryAttention;
import io.patchcast.models.module.MoEFeedForward;
import io.patchcast.models.module.PackedStdScaler;
import io.patchcast.models.module.RMSNorm;
import io.patchcast.models.module.RotaryProjection;
import io.patchcast.models.module.Scalars;
import io.patchcast.models.moiraimoe.PackedBatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Moirai-MoE with trainable parameters (uni2ts MoiraiMoEModule, spec §2), for pretraining on DJL
 * autograd. Attention and the norms are the inference modules ({@link GroupedQueryAttention},
 * {@link RMSNorm}, {@link RotaryProjection}, {@link AttentionContext}) built on gradient-enabled
 * arrays; the patch embedding, the sparse MoE (with gate weights differentiable through the
 * centroid distances, as in uni2ts ffn.py) and the head are written here with NDArray ops.
 * {@code TrainableMoiraiMoETest} checks that a saved checkpoint loaded by the inference module
 * gives the same head outputs.
 *
 * <p>Parameters are held in compute layout (weights transposed to (in, out), the 32 experts'
 * fc_gate and fc1 fused to (D, 2F), the nine head leaves fused to (D, 192)); {@link #saveReleased}
 * writes the released key layout. The centroids are a fixed buffer (N(0, 1), as RandomCheckpoint).
 */
public final class TrainableMoiraiMoE implements AutoCloseable {

    static final int P = MoiraiMoEConfig.PATCH_SIZE;
    static final int X = MoEFeedForward.NUM_EXPERTS;
    static final int E = MoiraiMoEConfig.HEAD_DIM;

    private final int dModel;
    private final int dFf;
    private final int layers;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final double[] centroid; // (layers, X, D)
    private final NDArray[] centroidAugT; // per layer (D + 2, X)
    private final RotaryProjection rope;

    private TrainableMoiraiMoE(int dModel, int dFf, int layers, Device device, double[] centroid) {
        if (dModel % E != 0) {
            throw new IllegalArgumentException("d_model must be a multiple of 64, got " + dModel);
        }
        this.dModel = dModel;
        this.dFf = dFf;
        this.layers = layers;
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        this.centroid = centroid;
        this.rope = new RotaryProjection(manager, E / 2);
        this.centroidAugT = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            float[] aug = new float[(dModel + 2) * X];
            for (int e = 0; e < X; e++) {
                float norm = 0f;
                for (int j = 0; j < dModel; j++) {
                    float c = (float) centroid[(l * X + e) * dModel + j];
                    aug[j * X + e] = c;
                    norm += c * c;
                }
                aug[dModel * X + e] = 1f;
                aug[(dModel + 1) * X + e] = norm;
            }
            centroidAugT[l] = manager.create(aug, new Shape(dModel + 2, X));
        }
    }

    /** A freshly initialised model: nn.Linear-style uniform weights, unit norms, seeded. */
    public static TrainableMoiraiMoE init(int dModel, int dFf, int layers, long seed, Device device) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] c = new double[layers * X * dModel];
        for (int i = 0; i < c.length; i++) {
            c[i] = r.nextGaussian();
        }
        TrainableMoiraiMoE m = new TrainableMoiraiMoE(dModel, dFf, layers, device, c);
        double depth = 1 / Math.sqrt(2.0 * layers); // residual branches start small
        m.uniform(r, "in_proj.T", P, 1, P, dModel);
        m.uniform(r, "in_proj.b", P, 1, dModel);
        m.uniform(r, "res_proj.T", P, 1, P, dModel);
        m.uniform(r, "res_proj.b", P, 1, dModel);
        m.uniform(r, "feat_proj.T", dModel, 1, dModel, dModel);
        m.uniform(r, "feat_proj.b", dModel, 1, dModel);
        for (int l = 0; l < layers; l++) {
            String pre = "layers." + l + ".";
            m.constant(pre + "norm1", 1f, dModel);
            m.uniform(r, pre + "q.T", dModel, 1, dModel, dModel);
            m.uniform(r, pre + "k.T", dModel, 1, dModel, dModel);
            m.uniform(r, pre + "v.T", dModel, 1, dModel, dModel);
            m.constant(pre + "q_norm", 1f, E);
            m.constant(pre + "k_norm", 1f, E);
            m.uniform(r, pre + "out.T", dModel, depth, dModel, dModel);
            m.constant(pre + "var_emb", 0f, 2, dModel / E);
            m.constant(pre + "norm2", 1f, dModel);
            for (int e = 0; e < X; e++) {
                m.uniform(r, pre + "experts." + e + ".gate_fc1.T", dModel, 1, dModel, 2L * dFf);
                m.uniform(r, pre + "experts." + e + ".fc2.T", dFf, depth, dFf, dModel);
            }
        }
        m.constant("norm", 1f, dModel);
        m.uniform(r, "head.T", dModel, 1, dModel, DistrParamProj.RAW);
        m.constant("head.b", 0f, DistrParamProj.RAW);
        return m;
    }

    private void uniform(SplittableRandom r, String key, int fanIn, double gain, long... shape) {
        int n = (int) new Shape(shape).size();
        float[] v = new float[n];
        double a = gain / Math.sqrt(fanIn);
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((2 * r.nextDouble() - 1) * a);
        }
        put(key, v, shape);
    }

    private void constant(String key, float value, long... shape) {
        float[] v = new float[(int) new Shape(shape).size()];
        java.util.Arrays.fill(v, value);
        put(key, v, shape);
    }

    private void put(String key, float[] v, long... shape) {
        NDArray a = manager.create(v, new Shape(shape));
        a.setRequiresGradient(true);
        params.put(key, a);
    }

    public int dModel() {
        return dModel;
    }

    public int dFf() {
        return dFf;
    }

    public int numLayers() {
        return layers;
    }

    /** Trainable parameters in a fixed order (compute layout). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /**
     * Replaces parameter {@code key} by a fresh leaf holding {@code value}'s numbers (no gradient
     * history); the old array and its gradient are freed.
     */
    void replace(String key, NDArray value) {
        NDArray old = params.get(key);
        NDArray fresh = manager.create(value.toFloatArray(), old.getShape());
        fresh.setRequiresGradient(true);
        params.put(key, fresh);
        old.close();
        if (value != old) {
            value.close(); // e.g. p.sub(...), which DJL attaches to the parameter's manager
        }
    }

    public NDManager manager() {
        return manager;
    }

    /** Number of trainable parameters (the centroid buffer not counted). */
    public long parameterCount() {
        long n = 0;
        for (NDArray a : params.values()) {
            n += a.size();
        }
        return n;
    }

    /** Whether a parameter gets weight decay: matrices do, norms, biases and embeddings do not. */
    static boolean decays(String key) {
        return key.endsWith(".T");
    }

    /** Scaled inputs and the scaler's statistics of a batch (computed in Java, no gradient). */
    public record Scaled(float[] x, float[] loc, float[] scale) {}

    /** uni2ts: scaler on observed, non-predicted values, then (target - loc) / scale everywhere. */
    public static Scaled scale(PackedBatch in) {
        int n = in.rows();
        int l = in.tokens();
        int t = n * l;
        boolean[] obs = new boolean[t * P];
        for (int i = 0; i < t * P; i++) {
            obs[i] = in.observedMask()[i] && !in.predictionMask()[i / P];
        }
        float[] loc = new float[t];
        float[] scale = new float[t];
        PackedStdScaler.forward(in.target(), obs, in.sampleId(), in.variateId(), n, l, P, loc, scale);
        float[] x = new float[t * P];
        for (int i = 0; i < t * P; i++) {
            x[i] = (in.target()[i] - loc[i / P]) / scale[i / P];
        }
        return new Scaled(x, loc, scale);
    }

    /**
     * The head's raw output (T, 192) for a batch, in {@code call}; gradients flow to the
     * parameters when run inside a gradient collector.
     */
    public NDArray raw(NDManager call, PackedBatch in, Scaled s) {
        int n = in.rows();
        int l = in.tokens();
        int t = n * l;
        NDArray x = call.create(s.x(), new Shape(t, P));
        NDArray hIn = x.matMul(p("in_proj.T")).add(p("in_proj.b"));
        NDArray h = Activation.sigmoid(hIn).mul(hIn).matMul(p("feat_proj.T")).add(p("feat_proj.b"))
                .add(x.matMul(p("res_proj.T")).add(p("res_proj.b")));
        AttentionContext ctx =
                AttentionContext.build(call, rope, in.sampleId(), in.timeId(), in.variateId(), n, l);
        for (int li = 0; li < layers; li++) {
            String pre = "layers." + li + ".";
            GroupedQueryAttention attn = GroupedQueryAttention.of(dModel / E, E, p(pre + "q.T"),
                    p(pre + "k.T"), p(pre + "v.T"), p(pre + "q_norm"), p(pre + "k_norm"), p(pre + "out.T"),
                    call.zeros(new Shape(2, dModel / E)).add(p(pre + "var_emb")), rope);
            NDArray hs = h.reshape(n, l, dModel);
            NDArray a = attn.forward(RMSNorm.of(p(pre + "norm1")).forward(hs), ctx);
            NDArray h1 = hs.add(a).reshape(t, dModel);
            NDArray f = RMSNorm.of(p(pre + "norm2")).forward(h1);
            h = h1.add(moe(li, f));
        }
        NDArray out = RMSNorm.of(p("norm")).forward(h);
        return out.matMul(p("head.T")).add(p("head.b"));
    }

    /** uni2ts MoEFeedForward: top-2 largest centroid distances, softmax weights, GLU experts. */
    NDArray moe(int layer, NDArray f) {
        NDManager call = f.getManager();
        int tokens = Math.toIntExact(f.getShape().get(0));
        NDArray norm = f.square().sum(new int[] {-1}, true);
        NDArray aug = Scalars.mul(f, -2f).concat(norm, -1).concat(call.ones(new Shape(tokens, 1)), -1);
        NDArray dist = Scalars.maximum(aug.matMul(centroidAugT[layer]), 1e-30f).sqrt(); // (T, X)
        MoEFeedForward.Routing r = MoEFeedForward.route(dist.toFloatArray(), tokens);
        long[] chosen = new long[tokens * 2];
        for (int i = 0; i < chosen.length; i++) {
            chosen[i] = r.experts()[i];
        }
        NDArray w = dist.gather(call.create(chosen, new Shape(tokens, 2)), 1).softmax(-1); // (T, 2)
        int[] count = new int[X];
        for (int e : r.experts()) {
            count[e]++;
        }
        int[] start = new int[X + 1];
        for (int e = 0; e < X; e++) {
            start[e + 1] = start[e] + count[e];
        }
        long[][] rows = new long[X][];
        for (int e = 0; e < X; e++) {
            rows[e] = new long[count[e]];
        }
        int[] fill = new int[X];
        long[] slotOf = new long[tokens * 2];
        for (int s = 0; s < tokens * 2; s++) {
            int e = r.experts()[s];
            rows[e][fill[e]] = s / 2;
            slotOf[s] = start[e] + fill[e];
            fill[e]++;
        }
        NDList perExpert = new NDList();
        String pre = "layers." + layer + ".experts.";
        for (int e = 0; e < X; e++) {
            if (count[e] == 0) {
                continue;
            }
            NDArray xe = f.get(call.create(rows[e]));
            NDArray hh = xe.matMul(p(pre + e + ".gate_fc1.T"));
            NDArray gate = hh.get(":, :" + dFf);
            NDArray value = hh.get(":, " + dFf + ":");
            perExpert.add(Activation.sigmoid(gate).mul(gate).mul(value).matMul(p(pre + e + ".fc2.T")));
        }
        NDArray sorted = NDArrays.concat(perExpert, 0);
        NDArray perSlot = sorted.get(call.create(slotOf)).reshape(tokens, 2, dModel);
        return perSlot.mul(w.reshape(tokens, 2, 1)).sum(new int[] {1});
    }

    private NDArray p(String key) {
        NDArray a = params.get(key);
        if (a == null) {
            throw new IllegalStateException("no parameter " + key);
        }
        return a;
    }

    /** Writes config.json and model.safetensors in the released key layout (spec §3). */
    public void saveReleased(Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter w = new SafetensorsWriter();
        int d = dModel;
        w.putF32("in_proj.weight", transpose(p("in_proj.T"), P, d), 1, d, P);
        w.putF32("in_proj.bias", p("in_proj.b").toFloatArray(), 1, d);
        w.putF32("res_proj.weight", transpose(p("res_proj.T"), P, d), 1, d, P);
        w.putF32("res_proj.bias", p("res_proj.b").toFloatArray(), 1, d);
        w.putF32("feat_proj.weight", transpose(p("feat_proj.T"), d, d), 1, d, d);
        w.putF32("feat_proj.bias", p("feat_proj.b").toFloatArray(), 1, d);
        w.putF64("encoder.centroid", centroid, layers, X, d);
        int heads = d / E;
        for (int l = 0; l < layers; l++) {
            String pre = "encoder.layers." + l + ".";
            String q = "layers." + l + ".";
            w.putF32(pre + "self_attn.var_attn_bias.emb.weight", p(q + "var_emb").toFloatArray(), 2, heads);
            w.putF32(pre + "self_attn.q_proj.weight", transpose(p(q + "q.T"), d, d), d, d);
            w.putF32(pre + "self_attn.k_proj.weight", transpose(p(q + "k.T"), d, d), d, d);
            w.putF32(pre + "self_attn.v_proj.weight", transpose(p(q + "v.T"), d, d), d, d);
            w.putF32(pre + "self_attn.q_norm.weight", p(q + "q_norm").toFloatArray(), E);
            w.putF32(pre + "self_attn.k_norm.weight", p(q + "k_norm").toFloatArray(), E);
            w.putF32(pre + "self_attn.out_proj.weight", transpose(p(q + "out.T"), d, d), d, d);
            w.putF32(pre + "norm1.weight", p(q + "norm1").toFloatArray(), d);
            w.putF32(pre + "norm2.weight", p(q + "norm2").toFloatArray(), d);
            for (int e = 0; e < X; e++) {
                String ep = pre + "ffn.experts." + e + ".";
                float[] gf = transpose(p(q + "experts." + e + ".gate_fc1.T"), d, 2 * dFf); // (2F, D)
                float[] gate = java.util.Arrays.copyOfRange(gf, 0, dFf * d);
                float[] fc1 = java.util.Arrays.copyOfRange(gf, dFf * d, 2 * dFf * d);
                w.putF32(ep + "fc1.weight", fc1, dFf, d);
                w.putF32(ep + "fc_gate.weight", gate, dFf, d);
                w.putF32(ep + "fc2.weight", transpose(p(q + "experts." + e + ".fc2.T"), dFf, d), d, dFf);
            }
        }
        w.putF32("encoder.norm.weight", p("norm").toFloatArray(), d);
        float[] headT = transpose(p("head.T"), d, DistrParamProj.RAW); // (192, D): rows = raw columns
        float[] headB = p("head.b").toFloatArray();
        for (int k = 0; k < DistrParamProj.LEAVES.length; k++) {
            int o = DistrParamProj.offset(k);
            int wd = DistrParamProj.width(k);
            String key = "param_proj.proj." + DistrParamProj.LEAVES[k];
            w.putF32(key + ".weight", java.util.Arrays.copyOfRange(headT, o * d, (o + wd) * d), 1, wd, d);
            w.putF32(key + ".bias", java.util.Arrays.copyOfRange(headB, o, o + wd), 1, wd);
        }
        w.write(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), MoiraiMoEConfig.releasedJson(d, dFf, layers));
    }

    /** a (rows, cols) row-major -> its transpose (cols, rows) as floats. */
    private static float[] transpose(NDArray a, int rows, int cols) {
        float[] v = a.toFloatArray();
        float[] t = new float[v.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = v[i * cols + j];
            }
        }
        return t;
    }

    /** Writes the parameters in compute layout, the centroids and the sizes (for resuming). */
    public void saveState(SafetensorsWriter w) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            w.putF32("param." + e.getKey(), e.getValue().toFloatArray(), e.getValue().getShape().getShape());
        }
        w.putF64("centroid", centroid, layers, X, dModel);
        w.putI64("sizes", new long[] {dModel, dFf, layers}, 3);
    }

    /** Restores a model written by {@link #saveState}. */
    public static TrainableMoiraiMoE loadState(SafetensorsReader r, Device device) throws IOException {
        long[] sizes = r.longs("sizes");
        int d = (int) sizes[0];
        int f = (int) sizes[1];
        int l = (int) sizes[2];
        TrainableMoiraiMoE m = new TrainableMoiraiMoE(d, f, l, device, r.doubles("centroid"));
        TrainableMoiraiMoE shapes = init(d, f, l, 0, Device.cpu());
        try (shapes) {
            for (Map.Entry<String, NDArray> e : shapes.params.entrySet()) {
                m.put(e.getKey(), r.floats("param." + e.getKey()), e.getValue().getShape().getShape());
            }
        }
        return m;
    }

    /** Keys of all parameters, in order. */
    public List<String> keys() {
        return new ArrayList<>(params.keySet());
    }

    static DataType dtype() {
        return DataType.FLOAT32;
    }

    @Override
    public void close() {
        manager.close();
    }
}
