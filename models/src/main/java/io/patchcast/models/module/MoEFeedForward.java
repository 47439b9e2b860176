package io.patchcast.models.module;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;

/**
 * Port of uni2ts {@code MoEFeedForward} (src/uni2ts/module/ffn.py): top-2 of 32 GLU experts, gated
 * by Euclidean distance to the layer's centroids (spec §7).
 *
 * <p>Tokens are dispatched sparsely: the rows routed to an expert are gathered and go through one
 * fused {@code [fc_gate | fc1]} matmul and one {@code fc2} matmul; experts nobody chose are
 * skipped.
 *
 * <p>{@link Dispatch#DENSE_REFERENCE} instead runs every expert on every token and combines the
 * outputs by the top-2 gate weights (zero for unchosen experts): the cost of the reference's loop
 * over 32 experts, kept as the baseline that {@code bench} measures in the same run.
 *
 * <p>Glossary: T tokens (N*L flattened), D = d_model, F = d_ff, X = 32 experts, K = 2.
 */
public final class MoEFeedForward {

    /** uni2ts module/transformer.py: {@code num_experts=32} is hard-coded. */
    public static final int NUM_EXPERTS = 32;

    /** uni2ts module/transformer.py: {@code num_experts_per_token=2}. */
    public static final int NUM_EXPERTS_PER_TOKEN = 2;

    /**
     * Row block of the CPU matmul kernels: with libtorch 2.7.1 (MKL, x86-64) a (M, K) x (K, N)
     * product rounds the last M mod 4 rows differently when M < 12, so a token's output would
     * depend on how many other tokens share its expert. Gathers are padded to a multiple of 4 rows
     * (copies of their first row), and calls run on at least {@link #MIN_ROWS} token rows.
     * Measured, not documented behaviour; checked by MoiraiMoeForecasterTest's batch-invariance
     * tests.
     */
    public static final int ROW_BLOCK = 4;

    /** From this many rows on, every row of a matmul is rounded alike (same measurement). */
    public static final int MIN_ROWS = 12;

    /**
     * How tokens reach the experts; all give the same output up to float rounding
     * (MoEFeedForwardDispatchTest).
     */
    public enum Dispatch {
        /**
         * Each expert runs only on the token rows routed to it, as libtorch matmuls; unchosen
         * experts are skipped. The path on GPUs and wherever {@link #SPARSE_VECTOR} cannot run.
         */
        SPARSE,
        /**
         * As {@link #SPARSE}, with the experts computed in Java SIMD from weights on the JVM heap
         * ({@link VectorGemm}); CPU only, needs {@link VectorKernels#available()}. About twice
         * the weight bandwidth of libtorch's kernels for the few rows an expert sees per series,
         * and no JNI call per expert. Moirai-MoE modules loaded with it run their whole forward
         * pass in Java: the encoder layers ({@link VectorLayer}), the gate distances and the
         * embedding, final norm and head ({@link VectorLinear}).
         */
        SPARSE_VECTOR,
        /**
         * Baseline: each of the 32 experts runs on all T tokens, and results accumulate in expert
         * index order weighted by the gate (uni2ts ffn.py loops {@code for i, expert in
         * enumerate(self.experts)}). 16x the expert FLOPs of {@link #SPARSE}; for benchmarks only.
         */
        DENSE_REFERENCE;

        /** The fastest sparse dispatch for {@code device} (null = CPU) in this JVM. */
        public static Dispatch fastest(Device device) {
            boolean cpu = device == null || !device.isGpu();
            return cpu && VectorKernels.available() ? SPARSE_VECTOR : SPARSE;
        }
    }

    private final int dModel;
    private final int dFf;
    private final Dispatch dispatch;
    private final NDArray centroidAugT; // (D + 2, X): [c ; 1 ; ||c||^2] transposed (cdist mm path)
    private final NDArray[] fcGateFc1T; // X x (D, 2F): [fc_gate^T | fc1^T]; null for SPARSE_VECTOR
    private final NDArray[] fc2T; // X x (F, D); null for SPARSE_VECTOR
    private final VectorExperts vector; // SPARSE_VECTOR only
    private final VectorLinear centroidAug; // SPARSE_VECTOR only: centroidAugT for the Java distances

    private MoEFeedForward(
            int dModel,
            int dFf,
            Dispatch dispatch,
            NDArray centroidAugT,
            NDArray[] fcGateFc1T,
            NDArray[] fc2T,
            VectorExperts vector,
            VectorLinear centroidAug) {
        this.dModel = dModel;
        this.dFf = dFf;
        this.dispatch = dispatch;
        this.centroidAugT = centroidAugT;
        this.fcGateFc1T = fcGateFc1T;
        this.fc2T = fc2T;
        this.vector = vector;
        this.centroidAug = centroidAug;
    }

    /**
     * Loads {@code prefix + "experts.{e}.fc1.weight"} etc.; {@code centroid} is this layer's slice
     * {@code encoder.centroid[l]} (X, D), already float32 (the reference casts before cdist).
     */
    public static MoEFeedForward load(
            WeightLoader w, String prefix, float[] centroid, int dModel, int dFf)
            throws IOException {
        return load(w, prefix, centroid, dModel, dFf, Dispatch.SPARSE);
    }

    /** As {@link #load(WeightLoader, String, float[], int, int)}, with the given dispatch. */
    public static MoEFeedForward load(
            WeightLoader w,
            String prefix,
            float[] centroid,
            int dModel,
            int dFf,
            Dispatch dispatch)
            throws IOException {
        NDManager m = w.manager();
        // torch.cdist (mm path, > 25 centroids): [-2x, ||x||^2, 1] @ [c, 1, ||c||^2]^T
        float[] aug = new float[(dModel + 2) * NUM_EXPERTS];
        for (int e = 0; e < NUM_EXPERTS; e++) {
            float norm = 0f;
            for (int j = 0; j < dModel; j++) {
                float c = centroid[e * dModel + j];
                aug[j * NUM_EXPERTS + e] = c;
                norm += c * c;
            }
            aug[dModel * NUM_EXPERTS + e] = 1f;
            aug[(dModel + 1) * NUM_EXPERTS + e] = norm;
        }
        NDArray centroidAugT = m.create(aug, new Shape(dModel + 2, NUM_EXPERTS));
        Objects.requireNonNull(dispatch, "dispatch");
        if (dispatch == Dispatch.SPARSE_VECTOR && !VectorKernels.available()) {
            throw new IllegalStateException(
                    "MoE dispatch SPARSE_VECTOR needs the Java SIMD kernels, which are off: "
                            + VectorKernels.whyNot());
        }
        float[][] gate1 = new float[NUM_EXPERTS][];
        float[][] down = new float[NUM_EXPERTS][];
        for (int e = 0; e < NUM_EXPERTS; e++) {
            String p = prefix + "experts." + e + ".";
            float[] g = w.transposed(p + "fc_gate.weight", "(d_ff, d_model)", dFf, dModel);
            float[] v = w.transposed(p + "fc1.weight", "(d_ff, d_model)", dFf, dModel);
            float[] fused = new float[dModel * 2 * dFf];
            for (int r = 0; r < dModel; r++) {
                System.arraycopy(g, r * dFf, fused, r * 2 * dFf, dFf);
                System.arraycopy(v, r * dFf, fused, r * 2 * dFf + dFf, dFf);
            }
            gate1[e] = fused;
            down[e] = w.transposed(p + "fc2.weight", "(d_model, d_ff)", dModel, dFf);
        }
        if (dispatch == Dispatch.SPARSE_VECTOR) {
            return new MoEFeedForward(
                    dModel,
                    dFf,
                    dispatch,
                    centroidAugT,
                    null,
                    null,
                    VectorExperts.of(gate1, down, dModel, dFf),
                    VectorLinear.of(aug, null, dModel + 2, NUM_EXPERTS));
        }
        NDArray[] gate1T = new NDArray[NUM_EXPERTS];
        NDArray[] downT = new NDArray[NUM_EXPERTS];
        for (int e = 0; e < NUM_EXPERTS; e++) {
            gate1T[e] = m.create(gate1[e], new Shape(dModel, 2L * dFf));
            downT[e] = m.create(down[e], new Shape(dFf, dModel));
        }
        return new MoEFeedForward(dModel, dFf, dispatch, centroidAugT, gate1T, downT, null, null);
    }

    /** How this layer reaches its experts. */
    public Dispatch dispatch() {
        return dispatch;
    }

    /** Gate decisions for T tokens, plain Java: what {@link #forward} routes by. */
    public record Routing(float[] dist, int[] experts, float[] weights, float[] margin) {}

    /** Output of {@link #forward}: the mixed expert output (T, D) and the routing. */
    public record Result(NDArray out, Routing routing) {}

    /** Euclidean distances (T, X) of x (T, D) to the centroids, torch.cdist's mm formula. */
    NDArray distances(NDArray x) {
        long t = x.getShape().get(0);
        NDArray norm = x.square().sum(new int[] {-1}, true); // (T, 1)
        NDArray aug = Scalars.mul(x, -2f).concat(norm, -1).concat(x.getManager().ones(new Shape(t, 1)), -1);
        return Scalars.maximum(aug.matMul(centroidAugT), 1e-30f).sqrt(); // clamp_min(1e-30).sqrt()
    }

    /**
     * {@link #distances} in Java SIMD on x (T, D) row-major: the same formula, each token's
     * distances from its own row only (libtorch's product rounds by the call's row count).
     */
    float[] distancesVector(float[] x, int tokens) {
        int a = dModel + 2;
        float[] aug = new float[Math.multiplyExact(tokens, a)];
        for (int t = 0; t < tokens; t++) {
            double norm = 0;
            for (int j = 0; j < dModel; j++) {
                float v = x[t * dModel + j];
                aug[t * a + j] = -2f * v;
                norm += (double) v * v;
            }
            aug[t * a + dModel] = (float) norm;
            aug[t * a + dModel + 1] = 1f;
        }
        float[] dist = centroidAug.forward(aug, tokens);
        for (int i = 0; i < dist.length; i++) {
            dist[i] = (float) Math.sqrt(Math.max(dist[i], 1e-30f)); // clamp_min(1e-30).sqrt()
        }
        return dist;
    }

    /** Top-2 LARGEST distances and softmax over them (uni2ts ffn.py; spec §7, pitfall 1). */
    public static Routing route(float[] dist, int tokens) {
        int[] experts = new int[tokens * NUM_EXPERTS_PER_TOKEN];
        float[] weights = new float[tokens * NUM_EXPERTS_PER_TOKEN];
        float[] margin = new float[tokens];
        for (int t = 0; t < tokens; t++) {
            int o = t * NUM_EXPERTS;
            int a = -1;
            int b = -1;
            int c = -1;
            for (int e = 0; e < NUM_EXPERTS; e++) {
                float d = dist[o + e];
                // torch.topk(largest=True, sorted=True); ties keep the lower index first
                if (a < 0 || d > dist[o + a]) {
                    c = b;
                    b = a;
                    a = e;
                } else if (b < 0 || d > dist[o + b]) {
                    c = b;
                    b = e;
                } else if (c < 0 || d > dist[o + c]) {
                    c = e;
                }
            }
            experts[2 * t] = a;
            experts[2 * t + 1] = b;
            // float32 softmax of [dist_a, dist_b] with dist_a the max: exp(0) = 1
            float eb = (float) Math.exp(dist[o + b] - dist[o + a]);
            float sum = 1f + eb;
            weights[2 * t] = 1f / sum;
            weights[2 * t + 1] = eb / sum;
            margin[t] = dist[o + b] - dist[o + c];
        }
        return new Routing(dist, experts, weights, margin);
    }

    /**
     * x (T, D), in {@code call}; returns (T, D) attached to x's manager, and the routing. The
     * chosen experts are spread over the pool's threads (each expert's numbers are the same
     * whichever thread computes them; {@link ComputePool#SEQUENTIAL} runs them in order).
     */
    public Result forward(NDArray x, ComputePool pool) {
        NDManager call = x.getManager();
        int tokens = Math.toIntExact(x.getShape().get(0));
        Routing r = route(distances(x).toFloatArray(), tokens);
        if (dispatch == Dispatch.DENSE_REFERENCE) {
            return new Result(dense(x, r, tokens), r);
        }
        Slots slots = Slots.of(r, tokens);
        if (dispatch == Dispatch.SPARSE_VECTOR) {
            float[] out = vectorForward(x.toFloatArray(), r, slots, pool);
            return new Result(call.create(out, new Shape(tokens, dModel)), r);
        }
        NDArray[] y = new NDArray[NUM_EXPERTS];
        runExperts(slots, pool, e -> y[e] = expert(x, e, slots.rows()[e]));
        NDList perExpert = new NDList(); // expert outputs in expert index order
        for (int e = 0; e < NUM_EXPERTS; e++) {
            if (y[e] != null) {
                perExpert.add(y[e]);
            }
        }
        NDArray sorted = NDArrays.concat(perExpert, 0); // (2T, D)
        long[] rowOf = Arrays.stream(slots.rowOf()).asLongStream().toArray();
        NDArray perSlot = sorted.get(call.create(rowOf)).reshape(tokens, 2, dModel); // (T, K, D)
        NDArray w = call.create(r.weights(), new Shape(tokens, 2, 1));
        NDArray out = perSlot.mul(w).sum(new int[] {1}); // w_a * y_a + w_b * y_b
        return new Result(out, r);
    }

    /**
     * Where each (token, choice) goes: expert e gets {@code count[e]} token rows {@code rows[e]}
     * and writes them as rows {@code start[e]..} of an expert-sorted output; {@code rowOf[2t+k]}
     * is the row of token t's k-th choice there.
     */
    private record Slots(int[] count, int[] start, int[][] rows, int[] rowOf) {
        static Slots of(Routing r, int tokens) {
            int[] count = new int[NUM_EXPERTS];
            for (int e : r.experts()) {
                count[e]++;
            }
            int[] start = new int[NUM_EXPERTS + 1];
            int[][] rows = new int[NUM_EXPERTS][];
            for (int e = 0; e < NUM_EXPERTS; e++) {
                start[e + 1] = start[e] + count[e];
                rows[e] = new int[count[e]];
            }
            int[] rowOf = new int[tokens * NUM_EXPERTS_PER_TOKEN];
            int[] fill = new int[NUM_EXPERTS];
            for (int s = 0; s < rowOf.length; s++) {
                int e = r.experts()[s];
                rowOf[s] = start[e] + fill[e];
                rows[e][fill[e]++] = s / NUM_EXPERTS_PER_TOKEN;
            }
            return new Slots(count, start, rows, rowOf);
        }
    }

    /** Runs {@code expert} for every chosen expert, spread over the pool's threads. */
    private static void runExperts(Slots slots, ComputePool pool, IntConsumer expert) {
        List<Callable<Void>> tasks = new ArrayList<>(pool.threads());
        for (int[] group : balance(slots.count(), pool.threads())) {
            tasks.add(
                    () -> {
                        for (int e : group) {
                            expert.accept(e);
                        }
                        return null;
                    });
        }
        pool.invokeAll(tasks);
    }

    /** Output of {@link #forwardVector}: the mixed expert output (T, D) and the routing. */
    public record VectorResult(float[] out, Routing routing) {}

    /**
     * SPARSE_VECTOR on x (T, D) row-major, all in Java: the gate distances ({@link
     * #distancesVector}) and the experts.
     */
    public VectorResult forwardVector(float[] x, int tokens, ComputePool pool) {
        if (dispatch != Dispatch.SPARSE_VECTOR) {
            throw new IllegalStateException("forwardVector needs SPARSE_VECTOR, not " + dispatch);
        }
        Routing r = route(distancesVector(x, tokens), tokens);
        return new VectorResult(vectorForward(x, r, Slots.of(r, tokens), pool), r);
    }

    /** SPARSE_VECTOR: the chosen experts in Java on their rows, mixed by the gate weights. */
    private float[] vectorForward(float[] xs, Routing r, Slots slots, ComputePool pool) {
        int tokens = slots.rowOf().length / NUM_EXPERTS_PER_TOKEN;
        float[] y = new float[slots.rowOf().length * dModel]; // expert outputs, expert by expert
        runExperts(slots, pool, e -> vector.forward(xs, e, slots.rows()[e], y, slots.start()[e]));
        float[] out = new float[tokens * dModel];
        for (int t = 0; t < tokens; t++) {
            int oa = slots.rowOf()[2 * t] * dModel;
            int ob = slots.rowOf()[2 * t + 1] * dModel;
            float wa = r.weights()[2 * t];
            float wb = r.weights()[2 * t + 1];
            for (int j = 0; j < dModel; j++) {
                // as SPARSE: w_a y_a + w_b y_b
                out[t * dModel + j] = wa * y[oa + j] + wb * y[ob + j];
            }
        }
        return out;
    }

    /**
     * Chosen experts split into at most {@code threads} groups of about equal padded row counts
     * (greedy, largest first); every group non-empty.
     */
    static List<int[]> balance(int[] count, int threads) {
        List<Integer> chosen = new ArrayList<>();
        for (int e = 0; e < NUM_EXPERTS; e++) {
            if (count[e] > 0) {
                chosen.add(e);
            }
        }
        int groups = Math.max(1, Math.min(threads, chosen.size()));
        if (groups == 1) {
            return List.of(chosen.stream().mapToInt(Integer::intValue).toArray());
        }
        chosen.sort((a, b) -> count[b] != count[a] ? count[b] - count[a] : a - b);
        List<List<Integer>> g = new ArrayList<>();
        long[] load = new long[groups];
        for (int i = 0; i < groups; i++) {
            g.add(new ArrayList<>());
        }
        for (int e : chosen) {
            int best = 0;
            for (int i = 1; i < groups; i++) {
                if (load[i] < load[best]) {
                    best = i;
                }
            }
            g.get(best).add(e);
            // cost of an expert call: a fixed part (weights streamed once) plus its rows
            load[best] += 8L + (count[e] + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
        }
        List<int[]> out = new ArrayList<>(groups);
        for (List<Integer> l : g) {
            out.add(l.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    /** fc2(silu(fc_gate(x)) * fc1(x)) on the given token rows of x; (rows, D) in x's manager. */
    private NDArray expert(NDArray x, int e, int[] rows) {
        NDArray y;
        try (NDManager scope = x.getManager().newSubManager()) {
            int padded = (rows.length + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
            long[] gather = new long[padded];
            for (int i = 0; i < padded; i++) {
                gather[i] = rows[i < rows.length ? i : 0];
            }
            NDArray idx = scope.create(gather);
            NDArray xe = x.get(idx); // (T_e rounded up to ROW_BLOCK, D)
            xe.attach(scope);
            NDArray h = xe.matMul(fcGateFc1T[e]); // (T_e, 2F)
            NDArray gate = h.get(":, :" + dFf);
            NDArray value = h.get(":, " + dFf + ":");
            y = Activation.sigmoid(gate).mul(gate).mul(value).matMul(fc2T[e]);
            if (gather.length != rows.length) {
                y = y.get("0:" + rows.length);
            }
            scope.ret(y);
        }
        return y;
    }

    /**
     * The baseline: all 32 experts on all T tokens, {@code results += w_e * expert_e(x)} in expert
     * index order, w_e the token's gate weight for e or 0. Returns (T, D) in x's manager.
     */
    private NDArray dense(NDArray x, Routing r, int tokens) {
        NDManager call = x.getManager();
        NDArray results = call.zeros(new Shape(tokens, dModel)); // (T, D)
        float[] we = new float[tokens];
        for (int e = 0; e < NUM_EXPERTS; e++) {
            Arrays.fill(we, 0f);
            for (int s = 0; s < tokens * NUM_EXPERTS_PER_TOKEN; s++) {
                if (r.experts()[s] == e) {
                    we[s / NUM_EXPERTS_PER_TOKEN] = r.weights()[s];
                }
            }
            try (NDManager scope = call.newSubManager()) {
                NDArray h = x.matMul(fcGateFc1T[e]); // (T, 2F)
                h.attach(scope);
                NDArray gate = h.get(":, :" + dFf);
                NDArray value = h.get(":, " + dFf + ":");
                NDArray y = Activation.sigmoid(gate).mul(gate).mul(value).matMul(fc2T[e]); // (T, D)
                results.addi(y.mul(scope.create(we, new Shape(tokens, 1))));
            }
        }
        return results;
    }
}
