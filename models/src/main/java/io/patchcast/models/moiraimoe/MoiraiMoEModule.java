package io.patchcast.models.moiraimoe;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import io.patchcast.models.distribution.DistrParamProj;
import io.patchcast.models.distribution.Mixture;
import io.patchcast.models.io.ModelFormatException;
import io.patchcast.models.io.MoiraiMoEConfig;
import io.patchcast.models.io.SafetensorsReader;
import io.patchcast.models.io.TensorInfo;
import io.patchcast.models.module.AttentionContext;
import io.patchcast.models.module.ComputePool;
import io.patchcast.models.module.GroupedQueryAttention;
import io.patchcast.models.module.MoEFeedForward;
import io.patchcast.models.module.PackedStdScaler;
import io.patchcast.models.module.RMSNorm;
import io.patchcast.models.module.RotaryProjection;
import io.patchcast.models.module.VectorLayer;
import io.patchcast.models.module.VectorLinear;
import io.patchcast.models.module.WeightLoader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Port of uni2ts {@code MoiraiMoEModule} (src/uni2ts/model/moirai_moe/module.py): scaler, patch
 * embedding, a decoder-only encoder of RMSNorm / attention / sparse MoE layers, and the mixture
 * head (spec §2). Weights live in one capped {@link NDManager}; each {@link #forward} opens a
 * sub-manager and returns plain Java.
 *
 * <p>Glossary: N rows, L tokens, P = 16 patch positions, D = d_model, T = N*L.
 */
public final class MoiraiMoEModule implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MoiraiMoEModule.class);
    static final int P = MoiraiMoEConfig.PATCH_SIZE;

    /** One encoder layer (uni2ts module/transformer.py TransformerEncoderLayer, pre-norm). */
    private record Layer(
            RMSNorm norm1, GroupedQueryAttention selfAttn, RMSNorm norm2, MoEFeedForward ffn) {}

    /**
     * Token rows per module call: larger batches (AR steps run S*B rows) are split into chunks of
     * whole rows, which bounds activation memory (attention is per row, so results are the same;
     * chunks keep >= 12 token rows, see MoEFeedForward.MIN_ROWS).
     */
    public static final int MAX_TOKENS_PER_CALL = 16_384;

    private final MoiraiMoEConfig config;
    private final NDManager weights;
    private final NDArray inProjT; // (P, D)
    private final NDArray inProjB; // (D)
    private final NDArray resProjT; // (P, D)
    private final NDArray resProjB; // (D)
    private final NDArray featProjT; // (D, D)
    private final NDArray featProjB; // (D)
    private final RotaryProjection timeQkProj;
    private final Layer[] layers;
    private final VectorLayer[] vectorLayers; // SPARSE_VECTOR: the layers in Java SIMD; else null
    private final RMSNorm norm;
    private final DistrParamProj paramProj;
    // SPARSE_VECTOR: embedding, final norm and head in Java too (see VectorLinear); else null
    private final VectorLinear inProjV;
    private final VectorLinear resProjV;
    private final VectorLinear featProjV;
    private final float[] normV;
    private final VectorLinear headV;
    private final ComputePool pool;

    private MoiraiMoEModule(
            MoiraiMoEConfig config,
            NDManager weights,
            WeightLoader w,
            MoEFeedForward.Dispatch dispatch,
            ComputePool pool)
            throws IOException {
        this.config = config;
        this.weights = weights;
        this.pool = pool;
        int d = config.dModel();
        String why = "(1, d_model, 16) MultiInSizeLinear, patch_sizes=[16]";
        inProjT = weights.create(w.transposed("in_proj.weight", why, d, P, 1), new Shape(P, d));
        inProjB = weights.create(w.floats("in_proj.bias", "(1, d_model)", 1, d), new Shape(d));
        resProjT = weights.create(w.transposed("res_proj.weight", why, d, P, 1), new Shape(P, d));
        resProjB = weights.create(w.floats("res_proj.bias", "(1, d_model)", 1, d), new Shape(d));
        featProjT =
                weights.create(
                        w.transposed(
                                "feat_proj.weight", "(1, d_model, d_model) FeatLinear", d, d, 1),
                        new Shape(d, d));
        featProjB = weights.create(w.floats("feat_proj.bias", "(1, d_model)", 1, d), new Shape(d));
        timeQkProj = new RotaryProjection(weights, MoiraiMoEConfig.HEAD_DIM / 2);
        TensorInfo c = w.info("encoder.centroid");
        if (!c.hasShape(config.numLayers(), MoEFeedForward.NUM_EXPERTS, d)) {
            throw new ModelFormatException(
                    String.format(
                            "tensor 'encoder.centroid' has shape %s, expected [%d, %d, %d]"
                                + " (num_layers, 32 experts hard-coded in transformer.py, d_model)",
                            c.shapeString(), config.numLayers(), MoEFeedForward.NUM_EXPERTS, d));
        }
        float[] centroid =
                w.floats(
                        "encoder.centroid",
                        "(num_layers, 32, d_model)",
                        config.numLayers(),
                        MoEFeedForward.NUM_EXPERTS,
                        d);
        int perLayer = MoEFeedForward.NUM_EXPERTS * d;
        layers = new Layer[config.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String pre = "encoder.layers." + l + ".";
            layers[l] =
                    new Layer(
                            RMSNorm.load(w, pre + "norm1.", d),
                            GroupedQueryAttention.load(
                                    w,
                                    pre + "self_attn.",
                                    d,
                                    config.numHeads(),
                                    MoiraiMoEConfig.HEAD_DIM,
                                    timeQkProj),
                            RMSNorm.load(w, pre + "norm2.", d),
                            MoEFeedForward.load(
                                    w,
                                    pre + "ffn.",
                                    Arrays.copyOfRange(centroid, l * perLayer, (l + 1) * perLayer),
                                    d,
                                    config.dFf(),
                                    dispatch));
        }
        if (dispatch == MoEFeedForward.Dispatch.SPARSE_VECTOR) {
            vectorLayers = new VectorLayer[layers.length];
            for (int l = 0; l < layers.length; l++) {
                vectorLayers[l] =
                        VectorLayer.load(
                                w,
                                "encoder.layers." + l + ".",
                                d,
                                config.numHeads(),
                                MoiraiMoEConfig.HEAD_DIM,
                                layers[l].ffn());
            }
        } else {
            vectorLayers = null;
        }
        norm = RMSNorm.load(w, "encoder.norm.", d);
        paramProj =
                DistrParamProj.load(w, "param_proj.proj.", d, config.distrOutput().normalScale());
        if (vectorLayers != null) {
            inProjV = VectorLinear.of(inProjT.toFloatArray(), inProjB.toFloatArray(), P, d);
            resProjV = VectorLinear.of(resProjT.toFloatArray(), resProjB.toFloatArray(), P, d);
            featProjV = VectorLinear.of(featProjT.toFloatArray(), featProjB.toFloatArray(), d, d);
            normV = norm.weights();
            headV = paramProj.vector();
        } else {
            inProjV = null;
            resProjV = null;
            featProjV = null;
            normV = null;
            headV = null;
        }
    }

    /**
     * Loads {@code dir/config.json} and {@code dir/model.safetensors} on {@code device} (null =
     * engine default) with the fastest MoE dispatch this JVM has ({@link
     * MoEFeedForward.Dispatch#fastest}); the weight manager is capped afterwards.
     */
    public static MoiraiMoEModule load(Path dir, Device device) throws IOException {
        return load(dir, device, MoEFeedForward.Dispatch.fastest(device));
    }

    /** As {@link #load(Path, Device)}, with the MoE layers dispatching tokens as given. */
    public static MoiraiMoEModule load(Path dir, Device device, MoEFeedForward.Dispatch dispatch)
            throws IOException {
        return load(dir, device, dispatch, 1);
    }

    /**
     * As {@link #load(Path, Device, MoEFeedForward.Dispatch)}, computing on {@code computeThreads}
     * Java threads (see {@link ComputePool}; results do not depend on the count).
     */
    public static MoiraiMoEModule load(
            Path dir, Device device, MoEFeedForward.Dispatch dispatch, int computeThreads)
            throws IOException {
        ComputePool pool = ComputePool.of(computeThreads);
        try {
            return load(dir, device, dispatch, pool);
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static MoiraiMoEModule load(
            Path dir, Device device, MoEFeedForward.Dispatch dispatch, ComputePool pool)
            throws IOException {
        MoiraiMoEConfig config = MoiraiMoEConfig.load(dir.resolve("config.json"));
        NDManager weights = NDManager.newBaseManager(device, "PyTorch");
        try (SafetensorsReader reader = SafetensorsReader.open(dir.resolve("model.safetensors"))) {
            WeightLoader w = new WeightLoader(reader, weights);
            MoiraiMoEModule m = new MoiraiMoEModule(config, weights, w, dispatch, pool);
            w.logUnused();
            weights.cap();
            LOG.info(
                    "loaded Moirai-MoE from {}: d_model={} layers={} heads={} d_ff={} device={}"
                            + " dispatch={} compute threads={}",
                    dir,
                    config.dModel(),
                    config.numLayers(),
                    config.numHeads(),
                    config.dFf(),
                    weights.getDevice(),
                    dispatch,
                    pool.threads());
            return m;
        } catch (IOException | RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    public MoiraiMoEConfig config() {
        return config;
    }

    /** The long-lived weight manager (capped); for leak tests. */
    public NDManager weights() {
        return weights;
    }

    /** Forward without recording. */
    public Mixture forward(PackedBatch in) {
        return forward(in, TensorRecorder.NONE);
    }

    /**
     * The mixture at the tokens {@code keep} of every row only: token {@code i * K + j} of the
     * result is token {@code keep[j]} of row i. Numbers are those of {@link #forward(PackedBatch)}
     * at those tokens; the last layer computes attention queries, the MoE and the head for the kept
     * tokens alone (on libtorch padded to {@link MoEFeedForward#MIN_ROWS} copies so that CPU
     * kernels round them as in the full pass; the Java layers need no copies), which skips most of
     * its experts for a single series.
     */
    public Mixture forwardAt(PackedBatch in, int[] keep) {
        if (keep.length == 0) {
            throw new IllegalArgumentException("keep at least one token");
        }
        for (int k : keep) {
            if (k < 0 || k >= in.tokens()) {
                throw new IllegalArgumentException(
                        "token " + k + " outside [0, " + in.tokens() + ")");
            }
        }
        return forward(in, TensorRecorder.NONE, keep);
    }

    /**
     * uni2ts MoiraiMoEModule.forward on N packed rows; returns the affine-transformed mixture of
     * every token (T = N*L), whose output at token t predicts token t+1.
     */
    public Mixture forward(PackedBatch in, TensorRecorder rec) {
        return forward(in, rec, null);
    }

    /** keep == null: every token; else only those tokens of each row (no recording then). */
    private Mixture forward(PackedBatch in, TensorRecorder rec, int[] keep) {
        if (!rec.enabled()
                && in.rows() > 1
                && (long) in.rows() * in.tokens() > MAX_TOKENS_PER_CALL) {
            int per = Math.max(1, MAX_TOKENS_PER_CALL / in.tokens());
            List<Mixture> parts = new ArrayList<>();
            for (int r = 0; r < in.rows(); r += per) {
                parts.add(forward(in.rows(r, Math.min(in.rows(), r + per)), rec, keep));
            }
            return Mixture.concat(parts);
        }
        if (pool.threads() > 1 && in.rows() > 1 && !rec.enabled()) {
            // rows are independent: contiguous chunks side by side, each single-threaded
            int k = Math.min(pool.threads(), in.rows());
            List<Callable<Mixture>> chunks = new ArrayList<>(k);
            for (int c = 0; c < k; c++) {
                PackedBatch part = in.rows(c * in.rows() / k, (c + 1) * in.rows() / k);
                chunks.add(() -> forwardRows(part, rec, ComputePool.SEQUENTIAL, keep));
            }
            return Mixture.concat(pool.invokeAll(chunks));
        }
        return forwardRows(in, rec, pool, keep);
    }

    /** One call on all rows of {@code in}; MoE experts spread over {@code experts}. */
    private Mixture forwardRows(
            PackedBatch in, TensorRecorder rec, ComputePool experts, int[] keep) {
        if (vectorLayers == null
                && (long) in.rows() * in.tokens() < MoEFeedForward.MIN_ROWS
                && !rec.enabled()) {
            // below MIN_ROWS token rows libtorch rounds tail rows differently: run extra copies
            // of the rows so that a series' numbers never depend on its batch (the Java layers
            // sum every row in the same order whatever the row count, so they need no copies)
            int extra =
                    (MoEFeedForward.MIN_ROWS + in.rows() * in.tokens() - 1)
                            / (in.rows() * in.tokens());
            Mixture m = call(in.repeat(extra), rec, experts, keep);
            return m.firstTokens(in.rows() * (keep == null ? in.tokens() : keep.length));
        }
        return call(in, rec, experts, keep);
    }

    /** One module call on all rows of {@code in}: scaler, embedding, encoder, head (spec §2). */
    private Mixture call(PackedBatch in, TensorRecorder rec, ComputePool experts, int[] keep) {
        int n = in.rows();
        int l = in.tokens();
        int t = n * l;
        int d = config.dModel();
        // loc, scale = scaler(target, observed_mask * ~prediction_mask[..., None], ...)
        boolean[] obs = new boolean[t * P];
        for (int i = 0; i < t * P; i++) {
            obs[i] = in.observedMask()[i] && !in.predictionMask()[i / P];
        }
        float[] loc = new float[t]; // (N, L)
        float[] scale = new float[t];
        PackedStdScaler.forward(
                in.target(), obs, in.sampleId(), in.variateId(), n, l, P, loc, scale);
        float[] scaled = new float[t * P]; // (N, L, P) (target - loc) / scale, padding included
        for (int i = 0; i < t * P; i++) {
            scaled[i] = (in.target()[i] - loc[i / P]) / scale[i / P];
        }
        if (rec.enabled()) {
            rec.record("scaler.loc", loc, n, l, 1);
            rec.record("scaler.scale", scale, n, l, 1);
            rec.record("scaled_target", scaled, n, l, P);
        }
        try (NDManager call = weights.newSubManager()) {
            if (vectorLayers != null) {
                return callVector(in, rec, experts, keep, scaled, loc, scale, call);
            }
            NDArray x = call.create(scaled, new Shape(t, P)); // (T, P)
            // reprs = feat_proj(silu(in_proj(x))) + res_proj(x)
            NDArray hIn = x.matMul(inProjT).add(inProjB);
            NDArray h =
                    Activation.sigmoid(hIn)
                            .mul(hIn)
                            .matMul(featProjT)
                            .add(featProjB)
                            .add(x.matMul(resProjT).add(resProjB)); // (T, D)
            record(rec, "embed", h, n, l, d);
            AttentionContext ctx = attentionContext(call, in, rec);
            if (keep != null) {
                return callAt(h, ctx, in, experts, keep, loc, scale);
            }
            NDArray encoded = encode(h, ctx, n, l, rec, experts);
            NDArray out = norm.forward(encoded); // (T, D)
            record(rec, "encoder_out", out, n, l, d);
            float[] raw = paramProj.raw(out);
            if (rec.enabled()) {
                recordRaw(rec, raw, n, l);
            }
            return paramProj.mixture(raw, t, loc, scale);
        }
    }

    /** The attention masks of the libtorch layers; recorded when {@code rec} records. */
    private AttentionContext attentionContext(NDManager call, PackedBatch in, TensorRecorder rec) {
        int n = in.rows();
        int l = in.tokens();
        AttentionContext ctx =
                AttentionContext.build(
                        call, timeQkProj, in.sampleId(), in.timeId(), in.variateId(), n, l);
        if (rec.enabled()) {
            rec.record("attn_mask", maskAllowed(ctx.maskBias().toFloatArray()), n, l, l);
        }
        return ctx;
    }

    /**
     * {@link #call} with the Java SIMD layers: embedding, encoder, final norm and head all in Java,
     * so that no token's numbers depend on the rows it shares the call with (libtorch's CPU kernels
     * round by row count, and by MKL's instruction-set setting). {@code call} only hosts the
     * recorded attention mask.
     */
    private Mixture callVector(
            PackedBatch in,
            TensorRecorder rec,
            ComputePool experts,
            int[] keep,
            float[] scaled,
            float[] loc,
            float[] scale,
            NDManager call) {
        int n = in.rows();
        int l = in.tokens();
        int t = n * l;
        int d = config.dModel();
        // reprs = feat_proj(silu(in_proj(x))) + res_proj(x)
        float[] hIn = inProjV.forward(scaled, t);
        for (int i = 0; i < hIn.length; i++) {
            float v = hIn[i];
            hIn[i] = (float) (1.0 / (1.0 + Math.exp(-v))) * v;
        }
        float[] h = featProjV.forward(hIn, t);
        float[] res = resProjV.forward(scaled, t);
        for (int i = 0; i < h.length; i++) {
            h[i] += res[i];
        }
        if (rec.enabled()) {
            rec.record("embed", h, n, l, d);
            attentionContext(call, in, rec);
        }
        VectorLayer.Context vc = vectorContext(in);
        if (keep != null) {
            // the kept tokens alone: no MIN_ROWS copies, the Java sums do not depend on row count
            float[] hv = encodeVector(h, vc, TensorRecorder.NONE, experts, layers.length - 1);
            float[] h2 = vectorLayers[layers.length - 1].forward(hv, vc, keep, experts).out();
            int rows = n * keep.length;
            float[] rawAll = headV.forward(VectorLayer.rmsNorm(h2, rows, d, normV), rows);
            return kept(rawAll, n, l, keep, keep.length, loc, scale);
        }
        float[] encoded = encodeVector(h, vc, rec, experts, layers.length);
        float[] out = VectorLayer.rmsNorm(encoded, t, d, normV);
        if (rec.enabled()) {
            rec.record("encoder_out", out, n, l, d);
        }
        float[] raw = headV.forward(out, t);
        if (rec.enabled()) {
            recordRaw(rec, raw, n, l);
        }
        return paramProj.mixture(raw, t, loc, scale);
    }

    /** {@code keep} repeated so that every row has at least MIN_ROWS query rows. */
    private static int[] paddedKeep(int[] keep) {
        int kk = keep.length;
        int reps = (MoEFeedForward.MIN_ROWS + kk - 1) / kk;
        int[] padded = new int[kk * reps];
        for (int i = 0; i < padded.length; i++) {
            padded[i] = keep[i % kk];
        }
        return padded;
    }

    /**
     * Layers 0..last-1 on every token, then the last layer, the final norm and the head on the kept
     * tokens only, each repeated so that every row has at least MIN_ROWS query rows (kernels then
     * round them as in the full pass); the copies are dropped.
     */
    private Mixture callAt(
            NDArray h,
            AttentionContext ctx,
            PackedBatch in,
            ComputePool experts,
            int[] keep,
            float[] loc,
            float[] scale) {
        int n = in.rows();
        int l = in.tokens();
        int d = config.dModel();
        int[] padded = paddedKeep(keep);
        NDManager call = h.getManager();
        long rows = (long) n * padded.length;
        Layer last = layers[layers.length - 1];
        NDArray hAll = encodeLayers(h, ctx, n, l, TensorRecorder.NONE, experts, layers.length - 1);
        NDArray hs = hAll.reshape(n, l, d);
        NDArray idx = call.create(Arrays.stream(padded).asLongStream().toArray());
        NDArray a = last.selfAttn().forwardQueries(last.norm1().forward(hs), ctx, idx);
        NDArray h1 = hs.get(new NDIndex(":, {}", idx)).add(a).reshape(rows, d);
        NDArray h2 = h1.add(last.ffn().forward(last.norm2().forward(h1), experts).out());
        float[] rawAll = paramProj.raw(norm.forward(h2)); // (N * K * reps, RAW)
        return kept(rawAll, n, l, keep, padded.length, loc, scale);
    }

    /**
     * The mixture of the kept tokens from the head's output {@code rawAll} at the padded kept tokens
     * ({@code perRow} of each of the n rows, {@code keep} first).
     */
    private Mixture kept(
            float[] rawAll, int n, int l, int[] keep, int perRow, float[] loc, float[] scale) {
        int kk = keep.length;
        int t = n * kk;
        float[] raw = new float[t * DistrParamProj.RAW];
        float[] locK = new float[t];
        float[] scaleK = new float[t];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < kk; j++) {
                int dst = i * kk + j;
                System.arraycopy(
                        rawAll,
                        (i * perRow + j) * DistrParamProj.RAW,
                        raw,
                        dst * DistrParamProj.RAW,
                        DistrParamProj.RAW);
                locK[dst] = loc[i * l + keep[j]];
                scaleK[dst] = scale[i * l + keep[j]];
            }
        }
        return paramProj.mixture(raw, t, locK, scaleK);
    }

    /**
     * The first {@code count} encoder layers in Java SIMD on h (T, D); returns (T, D) row-major.
     * Records what {@link #encodeLayers} records.
     */
    private float[] encodeVector(
            float[] h, VectorLayer.Context vc, TensorRecorder rec, ComputePool experts, int count) {
        int n = vc.n();
        int l = vc.l();
        int d = config.dModel();
        float[] hv = h;
        for (int li = 0; li < count; li++) {
            VectorLayer.Output o = vectorLayers[li].forward(hv, vc, null, experts);
            if (rec.enabled()) {
                rec.record("layer" + li + ".ffn_in", o.ffnIn(), n, l, d);
                recordRouting(rec, "layer" + li + ".gate.", o.routing(), n, l);
                rec.record("layer" + li + ".out", o.out(), n, l, d);
            }
            hv = o.out();
        }
        return hv;
    }

    private VectorLayer.Context vectorContext(PackedBatch in) {
        float[][] cs = timeQkProj.angles(in.timeId(), in.rows(), in.tokens());
        return new VectorLayer.Context(
                in.rows(), in.tokens(), in.sampleId(), in.timeId(), in.variateId(), cs[0], cs[1]);
    }

    /** The encoder layers on h (T, D), each in its own scope; returns (T, D) in h's manager. */
    private NDArray encode(
            NDArray h, AttentionContext ctx, int n, int l, TensorRecorder rec, ComputePool experts) {
        return encodeLayers(h, ctx, n, l, rec, experts, layers.length);
    }

    /** The first {@code count} encoder layers on h (T, D); returns (T, D) in h's manager. */
    private NDArray encodeLayers(
            NDArray h,
            AttentionContext ctx,
            int n,
            int l,
            TensorRecorder rec,
            ComputePool experts,
            int count) {
        int d = config.dModel();
        int t = n * l;
        NDManager call = h.getManager();
        for (int li = 0; li < count; li++) {
            Layer layer = layers[li];
            try (NDManager step = call.newSubManager()) {
                NDArray hs = h.reshape(n, l, d); // (N, L, D)
                hs.attach(step); // everything derived from hs is freed with this layer
                NDArray a = layer.selfAttn().forward(layer.norm1().forward(hs), ctx);
                NDArray h1 = hs.add(a).reshape(t, d);
                NDArray f = layer.norm2().forward(h1); // (T, D)
                record(rec, "layer" + li + ".ffn_in", f, n, l, d);
                MoEFeedForward.Result moe = layer.ffn().forward(f, experts);
                if (rec.enabled()) {
                    recordRouting(rec, "layer" + li + ".gate.", moe.routing(), n, l);
                }
                NDArray h2 = h1.add(moe.out());
                record(rec, "layer" + li + ".out", h2, n, l, d);
                h = step.ret(h2);
            }
        }
        return h;
    }

    private static float[] maskAllowed(float[] bias) {
        float[] m = new float[bias.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = bias[i] == 0f ? 1f : 0f;
        }
        return m;
    }

    private static void record(TensorRecorder rec, String name, NDArray a, long... shape) {
        if (rec.enabled()) {
            rec.record(name, a.toFloatArray(), shape);
        }
    }

    private static void recordRouting(
            TensorRecorder rec, String pre, MoEFeedForward.Routing r, int n, int l) {
        rec.record(pre + "dist", r.dist(), n, l, MoEFeedForward.NUM_EXPERTS);
        float[] e = new float[r.experts().length];
        for (int i = 0; i < e.length; i++) {
            e[i] = r.experts()[i];
        }
        rec.record(pre + "experts", e, n, l, 2);
        rec.record(pre + "weights", r.weights(), n, l, 2);
        rec.record(pre + "margin", r.margin(), n, l);
    }

    private static void recordRaw(TensorRecorder rec, float[] raw, int n, int l) {
        int t = n * l;
        for (int k = 0; k < DistrParamProj.LEAVES.length; k++) {
            int w = DistrParamProj.width(k);
            int o = DistrParamProj.offset(k);
            float[] leaf = new float[t * w];
            for (int i = 0; i < t; i++) {
                System.arraycopy(raw, i * DistrParamProj.RAW + o, leaf, i * w, w);
            }
            rec.record("raw." + DistrParamProj.LEAVES[k], leaf, n, l, w);
        }
    }

    /** Java threads this module computes on. */
    public int computeThreads() {
        return pool.threads();
    }

    @Override
    public void close() {
        pool.close();
        weights.close();
    }
}
