package io.patchcast.models.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

class SafetensorsReaderTest {

    static final Path FIXTURES =
            Paths.get(System.getProperty("patchcast.fixtures", "../../shared/fixtures/moirai-moe"));

    @TempDir Path dir;

    @Test
    void roundTripsEveryWrittenDtype() throws IOException {
        Path f = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .putMetadata("format", "pt")
                .putF32("a", new float[] {1.5f, -2f, 3f, 4f, 5f, 6f}, 2, 3)
                .putF64("b", new double[] {0.1, 1e300}, 2)
                .putI64("c", new long[] {-7, 1L << 40}, 2)
                .putRaw("h", SafetensorsDType.F16, new long[] {3}, le16(0x3c00, 0xc000, 0x0001))
                .putRaw("bf", SafetensorsDType.BF16, new long[] {2}, le16(0x3f80, 0xc2f7))
                .write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThat(r.metadata()).containsEntry("format", "pt");
            assertThat(r.info("a").shape()).containsExactly(2, 3);
            assertThat(r.floats("a")).containsExactly(1.5f, -2f, 3f, 4f, 5f, 6f);
            assertThat(r.doubles("b")).containsExactly(0.1, 1e300);
            assertThat(r.floats("b")).containsExactly(0.1f, Float.POSITIVE_INFINITY);
            assertThat(r.longs("c")).containsExactly(-7, 1L << 40);
            assertThat(r.floats("h")).containsExactly(1f, -2f, 0x1p-24f);
            assertThat(r.floats("bf")).containsExactly(1f, -123.5f);
        }
    }

    @Test
    void readsFixtureCheckpointWithF64Centroids() throws IOException {
        try (SafetensorsReader r =
                SafetensorsReader.open(FIXTURES.resolve("model/model.safetensors"))) {
            MoiraiMoEConfig cfg = MoiraiMoEConfig.load(FIXTURES.resolve("model/config.json"));
            TensorInfo c =
                    r.requireShape(
                            "encoder.centroid",
                            "(num_layers, 32, d_model)",
                            cfg.numLayers(),
                            32,
                            cfg.dModel());
            assertThat(c.dtype()).isEqualTo(SafetensorsDType.F64);
            double[] d = r.doubles("encoder.centroid");
            float[] f = r.floats("encoder.centroid");
            for (int i = 0; i < d.length; i++) {
                assertThat(f[i]).isEqualTo((float) d[i]);
            }
            // per layer: 32 experts x 3 weights, 4 attention projections, 2 QK-norms, 2 norms,
            // the variate attention bias; besides: centroids, final norm, input projections
            // (in, res, feat) and the mixture head
            assertThat(r.tensors()).hasSize(cfg.numLayers() * 105 + 26);
        }
    }

    @Test
    void missingTensorNamesKeyAndFile() throws IOException {
        Path f = dir.resolve("t.safetensors");
        new SafetensorsWriter().putF32("a", new float[] {1}, 1).write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThatThrownBy(() -> r.floats("encoder.norm.weight"))
                    .isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("encoder.norm.weight")
                    .hasMessageContaining(f.toString());
            assertThatThrownBy(() -> r.requireShape("a", "d_model", 128))
                    .hasMessageContaining("'a' has shape [1], expected [128] (d_model)");
            assertThatThrownBy(() -> r.longs("a")).hasMessageContaining("dtype F32");
        }
    }

    @Test
    void truncatedFileFailsNamingTensor() throws IOException {
        Path f = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .putF32("a", new float[] {1, 2}, 2)
                .putF32("weights", new float[] {1, 2, 3, 4}, 4)
                .write(f);
        byte[] all = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 3));
        assertThatThrownBy(() -> SafetensorsReader.open(cut))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("'weights'")
                .hasMessageContaining("truncated");
    }

    @Test
    void rejectsInsaneHeaderLength() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(1L << 40).putLong(0);
        Files.write(f, b.array());
        assertThatThrownBy(() -> SafetensorsReader.open(f))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("header length 1099511627776");
        Files.write(f, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsReader.open(f)).hasMessageContaining("too short");
    }

    @Test
    void rejectsShapeDtypeByteSizeMismatch() throws IOException {
        Path f = writeHeader("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> SafetensorsReader.open(f))
                .hasMessageContaining("'x' has shape [3] and dtype F32 (12 bytes)")
                .hasMessageContaining("span 8 bytes");
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        Path f =
                writeHeader(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                            + "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                        12);
        assertThatThrownBy(() -> SafetensorsReader.open(f))
                .hasMessageContaining("overlap")
                .hasMessageContaining("'x'")
                .hasMessageContaining("'y'");
    }

    @Test
    void rejectsUnknownDtypeAndBadJson() throws IOException {
        Path f = writeHeader("{\"x\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> SafetensorsReader.open(f)).hasMessageContaining("dtype C64");
        Path g = writeHeader("{\"x\": [1, 2", 0);
        assertThatThrownBy(() -> SafetensorsReader.open(g)).hasMessageContaining("not valid JSON");
    }

    @Test
    void writerRejectsWrongValueCount() {
        assertThatThrownBy(() -> new SafetensorsWriter().putF32("w", new float[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'w': shape [2, 3] holds 6 values, got 5");
    }

    private Path writeHeader(String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = Files.createTempFile(dir, "h", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static byte[] le16(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }
}
