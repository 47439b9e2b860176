package io.patchcast.models.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a safetensors file readable by huggingface/safetensors and {@link SafetensorsReader}:
 * tensors in insertion order, header padded with spaces to a multiple of 8 bytes. The file is
 * written to a temporary sibling and moved into place, so readers never see half a file.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(SafetensorsDType dtype, long[] shape, byte[] data) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter putMetadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds an F32 tensor; {@code values.length} must equal the product of {@code shape}. */
    public SafetensorsWriter putF32(String name, float[] values, long... shape) {
        checkNumel(name, values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return put(name, SafetensorsDType.F32, shape, b.array());
    }

    /** Adds an F64 tensor. */
    public SafetensorsWriter putF64(String name, double[] values, long... shape) {
        checkNumel(name, values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return put(name, SafetensorsDType.F64, shape, b.array());
    }

    /** Adds an I64 tensor. */
    public SafetensorsWriter putI64(String name, long[] values, long... shape) {
        checkNumel(name, values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return put(name, SafetensorsDType.I64, shape, b.array());
    }

    /** Adds a tensor from raw little-endian bytes (for F16/BF16/U8 or tests of broken files). */
    public SafetensorsWriter putRaw(
            String name, SafetensorsDType dtype, long[] shape, byte[] data) {
        long numel = 1;
        for (long d : shape) {
            numel *= d;
        }
        if (numel * dtype.byteSize() != data.length) {
            throw new IllegalArgumentException(
                    String.format(
                            "tensor '%s': shape %s of %s needs %d bytes, got %d",
                            name,
                            Arrays.toString(shape),
                            dtype,
                            numel * dtype.byteSize(),
                            data.length));
        }
        return put(name, dtype, shape, data);
    }

    private SafetensorsWriter put(String name, SafetensorsDType dtype, long[] shape, byte[] data) {
        if (name.equals("__metadata__") || entries.containsKey(name)) {
            throw new IllegalArgumentException("duplicate or reserved tensor name '" + name + "'");
        }
        entries.put(name, new Entry(dtype, shape.clone(), data));
        return this;
    }

    private static void checkNumel(String name, int n, long[] shape) {
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        String.format(
                                "tensor '%s': negative dimension in shape %s",
                                name, Arrays.toString(shape)));
            }
            numel *= d;
        }
        if (numel != n) {
            throw new IllegalArgumentException(
                    String.format(
                            "tensor '%s': shape %s holds %d values, got %d",
                            name, Arrays.toString(shape), numel, n));
        }
    }

    /** The header JSON bytes, space-padded so that the data starts 8-byte aligned. */
    byte[] header() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            ObjectNode t = root.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype().name());
            ArrayNode sh = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                sh.add(d);
            }
            ArrayNode off = t.putArray("data_offsets");
            off.add(offset);
            offset += e.getValue().data().length;
            off.add(offset);
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Writes the file atomically (temp file + move). */
    public void write(Path file) throws IOException {
        byte[] header = header();
        Path parent = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                len.putLong(header.length);
                out.write(len.array());
                out.write(header);
                for (Entry e : entries.values()) {
                    out.write(e.data());
                }
            }
            Files.move(
                    tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
