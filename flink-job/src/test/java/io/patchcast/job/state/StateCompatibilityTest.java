package io.patchcast.job.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.inference.InferenceTask;
import io.patchcast.job.patch.InferenceRequest;
import io.patchcast.job.patch.PatchPoint;
import io.patchcast.job.patch.SeriesState;
import io.patchcast.job.route.RoutedRequest;
import io.patchcast.job.score.ScoreState;
import io.patchcast.job.score.ScoredPoint;
import io.patchcast.job.source.DeadLetterRecord;
import io.patchcast.job.source.Point;
import io.patchcast.job.source.RawRecord;
import io.patchcast.store.ModelRef;
import io.patchcast.store.RouteRule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshotSerializationUtil;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.MapTypeInfo;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a savepoint holds stays readable by later builds (README, "Upgrading and reconfiguring from a
 * savepoint").
 *
 * <p>Every type kept in state or sent between operators is serialized by Flink's POJO and record
 * serializers: none falls back to Kryo, whose binary layout cannot evolve. And the state types'
 * serializer snapshots and a sample value written by the first build with this test (in
 * src/test/resources/state/v1) must resolve as compatible with the current classes, and the sample
 * must read back whole. Adding a field passes (compatible after migration); changing a field's type
 * or a class's name fails here, before a user's savepoint does. To write a new baseline on purpose:
 * {@code mvn -pl flink-job test -Dtest=StateCompatibilityTest -Dpatchcast.state.baseline=DIR}.
 */
class StateCompatibilityTest {

    /** Held in keyed, broadcast or operator state (the async operator keeps its in-flight tasks). */
    static List<Class<?>> stateTypes() {
        return List.of(SeriesState.class, ScoreState.class, RouteRule.class, RoutedRequest.class, InferenceTask.class);
    }

    /** Sent between operators. */
    static final List<Class<?>> STREAM_TYPES = List.of(RawRecord.class, Point.class, PatchPoint.class,
            InferenceRequest.class, ForecastResult.class, ScoredPoint.class, AlertEvent.class, DeadLetterRecord.class);

    private static TypeSerializer<Object> serializer(Class<?> c) {
        @SuppressWarnings("unchecked")
        TypeInformation<Object> t = (TypeInformation<Object>) TypeInformation.of(c);
        return t.createSerializer(new SerializerConfigImpl());
    }

    @Test
    void noTypeFallsBackToKryo() {
        List<String> generic = new ArrayList<>();
        List<Class<?>> all = new ArrayList<>(stateTypes());
        all.addAll(STREAM_TYPES);
        for (Class<?> c : all) {
            genericIn(c.getSimpleName(), TypeInformation.of(c), generic);
        }
        assertThat(generic).as("fields Flink would serialize with Kryo").isEmpty();
    }

    @Test
    void theKryoCheckSeesAGenericField() {
        List<String> generic = new ArrayList<>();
        genericIn("WithInterface", TypeInformation.of(WithInterface.class), generic);
        assertThat(generic).containsExactly("WithInterface.note[]");
    }

    /** A POJO with an array of an interface type: Flink serializes its elements with Kryo. */
    public static class WithInterface {
        public long id;
        public CharSequence[] note;

        public WithInterface() {}
    }

    private static void genericIn(String path, TypeInformation<?> t, List<String> out) {
        if (t instanceof GenericTypeInfo<?>) {
            out.add(path);
        } else if (t instanceof CompositeType<?> c) {
            for (int i = 0; i < c.getArity(); i++) {
                genericIn(path + "." + c.getFieldNames()[i], c.getTypeAt(i), out);
            }
        } else if (t instanceof ObjectArrayTypeInfo<?, ?> a) {
            genericIn(path + "[]", a.getComponentInfo(), out);
        } else if (t instanceof ListTypeInfo<?> l) {
            genericIn(path + "[]", l.getElementTypeInfo(), out);
        } else if (t instanceof MapTypeInfo<?, ?> m) {
            genericIn(path + ".key", m.getKeyTypeInfo(), out);
            genericIn(path + ".value", m.getValueTypeInfo(), out);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stateTypes")
    void theFirstBaselineRestores(Class<?> c) throws Exception {
        byte[] snapshotBytes = resource(c.getSimpleName() + ".snapshot");
        byte[] data = resource(c.getSimpleName() + ".data");
        TypeSerializerSnapshot<Object> old = TypeSerializerSnapshotSerializationUtil.readSerializerSnapshot(
                new DataInputDeserializer(snapshotBytes), getClass().getClassLoader());
        TypeSerializer<Object> now = serializer(c);
        TypeSerializerSchemaCompatibility<Object> compatibility = now.snapshotConfiguration().resolveSchemaCompatibility(old);
        assertThat(compatibility.isIncompatible()).as("%s: %s", c.getSimpleName(), compatibility).isFalse();

        // read with the serializer the savepoint names, as a state backend does, and lose nothing
        TypeSerializer<Object> restored = old.restoreSerializer();
        Object value = restored.deserialize(new DataInputDeserializer(data));
        assertThat(value).isInstanceOf(c);
        assertThat(write(restored, value)).as("%s read back and written again", c.getSimpleName()).isEqualTo(data);
        // then migrate to the current serializer
        Object migrated = now.deserialize(new DataInputDeserializer(write(now, value)));
        assertThat(write(now, migrated)).isEqualTo(write(now, value));
        if (compatibility.isCompatibleAsIs()) {
            assertThat(write(now, now.deserialize(new DataInputDeserializer(data)))).isEqualTo(data);
        }
    }

    @Test
    void sampleValuesAreDeterministicAndFilled() throws Exception {
        for (Class<?> c : stateTypes()) {
            assertThat(write(serializer(c), sample(c))).isEqualTo(write(serializer(c), sample(c)));
        }
        ScoreState s = (ScoreState) sample(ScoreState.class);
        assertThat(s.forecasts).hasSize(2);
        assertThat(s.alert.times).isNotEmpty();
        assertThat(s.historyMean).isNotZero();
    }

    /** Writes a new baseline into the folder given by -Dpatchcast.state.baseline (skipped without it). */
    @Test
    void writeBaseline() throws Exception {
        String dir = System.getProperty("patchcast.state.baseline");
        assumeTrue(dir != null && !dir.isBlank(), "no -Dpatchcast.state.baseline");
        Path out = Files.createDirectories(Path.of(dir));
        for (Class<?> c : stateTypes()) {
            TypeSerializer<Object> s = serializer(c);
            DataOutputSerializer snap = new DataOutputSerializer(256);
            TypeSerializerSnapshotSerializationUtil.writeSerializerSnapshot(snap, s.snapshotConfiguration());
            Files.write(out.resolve(c.getSimpleName() + ".snapshot"), snap.getCopyOfBuffer());
            Files.write(out.resolve(c.getSimpleName() + ".data"), write(s, sample(c)));
        }
    }

    private static byte[] write(TypeSerializer<Object> s, Object v) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        s.serialize(v, out);
        return out.getCopyOfBuffer();
    }

    private byte[] resource(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/state/v1/" + name)) {
            assertThat(in).as("baseline state/v1/%s", name).isNotNull();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        }
    }

    // ---- sample values: every field set, none to its default, the same on every run

    static Object sample(Class<?> c) throws Exception {
        InferenceRequest req = new InferenceRequest("cpu{host=\"a\"}", 1_700_000_000_000L, 300_000L,
                1_700_000_300_000L, new float[] {1.5f, Float.NaN, 2.5f}, new boolean[] {true, false, true});
        ModelRef calf = new ModelRef("calf", "v2");
        ModelRef moirai = new ModelRef("patchcast-moirai-moe-s", "s1-3000");
        if (c == RouteRule.class) {
            return new RouteRule("cpu\\{.*\\}", calf, new String[] {"a", "b"}, 1_700_000_000_123L, new ModelRef[] {moirai});
        }
        if (c == RoutedRequest.class) {
            return new RoutedRequest(req, new ModelRef[] {calf, moirai}, new String[] {"cpu{host=\"a\"}"});
        }
        if (c == InferenceTask.class) {
            return new InferenceTask(new InferenceRequest[] {req}, new ModelRef[] {calf}, new String[] {"cpu{host=\"a\"}"});
        }
        return fill(c, new int[] {1});
    }

    /** A value of {@code c} with every field set from the counter (POJOs by their public fields, records whole). */
    private static Object fill(Class<?> c, int[] n) throws Exception {
        int k = n[0]++;
        if (c == long.class || c == Long.class) {
            return 1_000L * k + 7;
        } else if (c == int.class || c == Integer.class) {
            return k + 3;
        } else if (c == double.class || c == Double.class) {
            return k + 0.25;
        } else if (c == float.class || c == Float.class) {
            return k + 0.5f;
        } else if (c == boolean.class || c == Boolean.class) {
            return true;
        } else if (c == byte.class) {
            return (byte) k;
        } else if (c == String.class) {
            return "s" + k;
        } else if (c.isEnum()) {
            Object[] values = c.getEnumConstants();
            return values[values.length - 1];
        } else if (c.isArray()) {
            Object a = Array.newInstance(c.getComponentType(), 2);
            for (int i = 0; i < 2; i++) {
                Array.set(a, i, fill(c.getComponentType(), n));
            }
            return a;
        } else if (c.isRecord()) {
            RecordComponent[] rc = c.getRecordComponents();
            Class<?>[] types = new Class<?>[rc.length];
            Object[] args = new Object[rc.length];
            for (int i = 0; i < rc.length; i++) {
                types[i] = rc[i].getType();
                args[i] = fill(types[i], n);
            }
            Constructor<?> ctor = c.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        }
        Object o = c.getDeclaredConstructor().newInstance();
        for (Field f : c.getFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) && !Modifier.isTransient(m) && !Modifier.isFinal(m)) {
                f.set(o, fill(f.getType(), n));
            }
        }
        return o;
    }
}
