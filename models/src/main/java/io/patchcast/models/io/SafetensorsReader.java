package io.patchcast.models.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file (huggingface/safetensors format): an 8-byte little-endian header length,
 * a JSON header mapping names to {dtype, shape, data_offsets}, then raw little-endian data.
 *
 * <p>The whole header is validated when the file is opened (length sane, offsets in range, sorted
 * without overlap, byte length equal to numel x dtype size), so a truncated or inconsistent file
 * fails at once, naming the file and the tensor. Tensor data is mapped lazily per tensor, so files
 * above 2 GiB (Moirai-MoE base, 3.7 GB) work.
 */
public final class SafetensorsReader implements AutoCloseable {

    /** Upper bound on the JSON header; the format itself caps it at 100 MB. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsReader(
            Path file,
            FileChannel channel,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code file}; the caller closes the reader. */
    public static SafetensorsReader open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < 8) {
                throw new ModelFormatException(
                        String.format(
                                "%s: %d bytes, too short for the 8-byte header length",
                                file, size));
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new ModelFormatException(
                        String.format(
                                "%s: header length %d is not in [1, min(%d, file size %d - 8)]",
                                file, headerLen, MAX_HEADER_BYTES, size));
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            String headerText = new String(hb.array(), StandardCharsets.UTF_8);
            JsonNode header;
            try {
                header = JSON.readTree(headerText);
            } catch (IOException e) {
                throw new ModelFormatException(
                        String.format("%s: header is not valid JSON (%s)", file, e.getMessage()),
                        e);
            }
            if (header == null || !header.isObject()) {
                throw new ModelFormatException(file + ": header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = header.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue()
                            .fields()
                            .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                tensors.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue(), dataLen));
            }
            checkNoOverlap(file, tensors.values());
            return new SafetensorsReader(
                    file,
                    ch,
                    dataStart,
                    Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode v, long dataLen)
            throws ModelFormatException {
        JsonNode dt = v.get("dtype");
        JsonNode sh = v.get("shape");
        JsonNode off = v.get("data_offsets");
        if (dt == null
                || !dt.isTextual()
                || sh == null
                || !sh.isArray()
                || off == null
                || !off.isArray()
                || off.size() != 2) {
            throw new ModelFormatException(
                    String.format(
                            "%s: tensor '%s' needs dtype (string), shape (array) and data_offsets"
                                    + " ([begin, end]), got %s",
                            file, name, v));
        }
        SafetensorsDType dtype = SafetensorsDType.parse(dt.asText());
        if (dtype == null) {
            throw new ModelFormatException(
                    String.format(
                            "%s: tensor '%s' has dtype %s, expected one of %s",
                            file, name, dt.asText(), Arrays.toString(SafetensorsDType.values())));
        }
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!sh.get(i).canConvertToLong() || sh.get(i).asLong() < 0) {
                throw new ModelFormatException(
                        String.format("%s: tensor '%s' has an invalid shape %s", file, name, sh));
            }
            shape[i] = sh.get(i).asLong();
        }
        long begin = off.get(0).asLong(-1);
        long end = off.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLen) {
            throw new ModelFormatException(
                    String.format(
                            "%s: tensor '%s' has data_offsets [%d, %d] outside the data section of"
                                + " %d bytes (file truncated?)",
                            file, name, begin, end, dataLen));
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(info.numel(), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new ModelFormatException(
                    String.format(
                            "%s: tensor '%s' shape %s overflows", file, name, info.shapeString()));
        }
        if (expected != end - begin) {
            throw new ModelFormatException(
                    String.format(
                            "%s: tensor '%s' has shape %s and dtype %s (%d bytes) but data_offsets"
                                    + " [%d, %d] span %d bytes",
                            file,
                            name,
                            info.shapeString(),
                            dtype,
                            expected,
                            begin,
                            end,
                            end - begin));
        }
        return info;
    }

    private static void checkNoOverlap(Path file, java.util.Collection<TensorInfo> infos)
            throws ModelFormatException {
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1);
            TensorInfo b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw new ModelFormatException(
                        String.format(
                                "%s: tensors '%s' [%d, %d] and '%s' [%d, %d] overlap",
                                file, a.name(), a.begin(), a.end(), b.name(), b.begin(), b.end()));
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new ModelFormatException("unexpected end of file");
            }
            pos += n;
        }
    }

    public Path file() {
        return file;
    }

    /** Tensor entries in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The entry for {@code name}; fails naming the key and the file when it is absent. */
    public TensorInfo info(String name) throws ModelFormatException {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new ModelFormatException(
                    String.format(
                            "%s: missing tensor '%s' (%d tensors present)",
                            file, name, tensors.size()));
        }
        return info;
    }

    /** Checks the shape of {@code name}; the message names file, tensor, both shapes and why. */
    public TensorInfo requireShape(String name, String why, long... expected)
            throws ModelFormatException {
        TensorInfo info = info(name);
        if (!info.hasShape(expected)) {
            throw new ModelFormatException(
                    String.format(
                            "%s: tensor '%s' has shape %s, expected %s (%s)",
                            file, name, info.shapeString(), Arrays.toString(expected), why));
        }
        return info;
    }

    private ByteBuffer bytes(TensorInfo info) throws IOException {
        long len = info.byteLength();
        if (len > Integer.MAX_VALUE) {
            throw new ModelFormatException(
                    String.format(
                            "%s: tensor '%s' has %d bytes, more than one Java array can hold",
                            file, info.name(), len));
        }
        ByteBuffer buf = ByteBuffer.allocate((int) len);
        readFully(channel, buf, dataStart + info.begin());
        return buf.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The values of a floating-point tensor as float32. F64 values are rounded to nearest (as
     * torch's {@code .float()}); F16 and BF16 widen exactly.
     */
    public float[] floats(String name) throws IOException {
        TensorInfo info = info(name);
        requireFloating(info);
        ByteBuffer b = bytes(info);
        int n = (int) info.numel();
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                }
            }
            default -> throw new IllegalStateException("unreachable: " + info.dtype());
        }
        return out;
    }

    /** IEEE 754 binary16 to float32, exact (Float.float16ToFloat needs Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // zero or subnormal: mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** The values of a floating-point tensor as float64 (exact for every floating dtype). */
    public double[] doubles(String name) throws IOException {
        TensorInfo info = info(name);
        requireFloating(info);
        if (info.dtype() == SafetensorsDType.F64) {
            ByteBuffer b = bytes(info);
            double[] out = new double[(int) info.numel()];
            b.asDoubleBuffer().get(out);
            return out;
        }
        float[] f = floats(name);
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** The values of an integer or boolean tensor (I64, I32, U8, BOOL) as long. */
    public long[] longs(String name) throws IOException {
        TensorInfo info = info(name);
        ByteBuffer b = bytes(info);
        int n = (int) info.numel();
        long[] out = new long[n];
        switch (info.dtype()) {
            case I64 -> b.asLongBuffer().get(out);
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(4 * i);
                }
            }
            case U8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i) & 0xff;
                }
            }
            default ->
                    throw new ModelFormatException(
                            String.format(
                                    "%s: tensor '%s' has dtype %s, expected an integer dtype (I64,"
                                        + " I32, U8, BOOL)",
                                    file, name, info.dtype()));
        }
        return out;
    }

    private void requireFloating(TensorInfo info) throws ModelFormatException {
        if (!info.dtype().isFloating()) {
            throw new ModelFormatException(
                    String.format(
                            "%s: tensor '%s' has dtype %s, expected a floating dtype (F64, F32,"
                                + " F16, BF16)",
                            file, info.name(), info.dtype()));
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
