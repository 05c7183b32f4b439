package dev.kindling.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.io.internal.HostBytes;
import dev.kindling.kernel.ops.DenseTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format, as written and read by {@code safetensors.torch}: an 8-byte little-endian header length,
 * a JSON header ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}}),
 * then the raw little-endian data. Reading validates everything before allocating (a forged header cannot ask for
 * more memory than the file holds) and names the file and byte offset of any problem.
 */
public final class Safetensors {
    /** The reference implementation's limit on the header size. */
    public static final long MAX_HEADER = 100_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Safetensors() {}

    /** What a file holds: tensors in file order, and the free-form metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    static String code(DType t) {
        switch (t) {
            case FLOAT32: return "F32";
            case FLOAT64: return "F64";
            case FLOAT16: return "F16";
            case BFLOAT16: return "BF16";
            case INT64: return "I64";
            case INT32: return "I32";
            case INT8: return "I8";
            case UINT8: return "U8";
            default: return "BOOL";
        }
    }

    static DType dtypeOf(String code) {
        switch (code) {
            case "F32": return DType.FLOAT32;
            case "F64": return DType.FLOAT64;
            case "F16": return DType.FLOAT16;
            case "BF16": return DType.BFLOAT16;
            case "I64": return DType.INT64;
            case "I32": return DType.INT32;
            case "I8": return DType.INT8;
            case "U8": return DType.UINT8;
            case "BOOL": return DType.BOOL;
            default: return null;
        }
    }

    // ------------------------------------------------------------------ writing

    public static void save(Map<String, Tensor> tensors, Path path) throws IOException { save(tensors, Map.of(), path); }

    /** Writes atomically (temporary file, then rename). Tensors are written in the map's order. */
    public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path path) throws IOException {
        Encoded e = encode(tensors, metadata);
        AtomicFiles.write(path, ch -> {
            writeFully(ch, e.head);
            for (byte[] b : e.blobs) writeFully(ch, ByteBuffer.wrap(b));
        });
    }

    /** The bytes {@link #save} writes to a file, in memory (e.g. a request or response body). */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Encoded e = encode(tensors, metadata);
        long size = e.head.remaining();
        for (byte[] b : e.blobs) size += b.length;
        if (size > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("the tensors take " + size + " bytes, more than one Java array can hold");
        ByteBuffer out = ByteBuffer.allocate((int) size).put(e.head);
        for (byte[] b : e.blobs) out.put(b);
        return out.array();
    }

    private record Encoded(ByteBuffer head, List<byte[]> blobs) {}

    private static Encoded encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        List<byte[]> blobs = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.equals("__metadata__")) throw new IllegalArgumentException("invalid tensor name '" + name + "'");
            Tensor t = e.getValue();
            if (t == null) throw new IllegalArgumentException("tensor '" + name + "' is null");
            byte[] data = bytesOf(t);
            ObjectNode entry = header.putObject(name);
            entry.put("dtype", code(t.dtype()));
            ArrayNode shape = entry.putArray("shape");
            for (long s : t.shape()) shape.add(s);
            ArrayNode off = entry.putArray("data_offsets");
            off.add(offset);
            off.add(offset + data.length);
            offset += data.length;
            blobs.add(data);
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a safetensors header: " + e.getOriginalMessage(), e);
        }
        int padded = (json.length + 7) / 8 * 8; // 8-byte aligned data, padded with spaces as safetensors does
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        return new Encoded(head, blobs);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Row-major little-endian bytes of a tensor, in its own dtype. */
    static byte[] bytesOf(Tensor t) {
        DenseTensor d = (DenseTensor) (t.device().isCpu() ? t : t.cpu());
        Object host = d.backend().toHost(d.view());
        return HostBytes.littleEndian(host, t.dtype().itemSize());
    }

    // ------------------------------------------------------------------ reading

    public static Map<String, Tensor> load(Path path) throws IOException { return read(path, Device.CPU).tensors(); }

    public static Contents read(Path path, Device device) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(new Source(path, path.toString(), ch.size(), ch, null), device);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no safetensors file there");
        }
    }

    /**
     * Reads safetensors bytes held in memory (e.g. a request body), validated as a file is; {@code source} names them in
     * the messages of a {@link SafetensorsException}.
     */
    public static Contents read(byte[] bytes, String source, Device device) throws SafetensorsException {
        try {
            return read(new Source(null, source, bytes.length, null, bytes), device);
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("reading memory failed: " + e.getMessage(), e); // no I/O happens
        }
    }

    /** A file (by channel) or an array, and its name for messages. */
    private record Source(Path path, String name, long size, FileChannel channel, byte[] bytes) {
        SafetensorsException problem(long offset, String what) {
            return path != null ? new SafetensorsException(path, offset, what) : new SafetensorsException(name, offset, what);
        }

        void readFully(ByteBuffer b, long pos) throws IOException {
            if (bytes != null) {
                if (pos + b.remaining() > bytes.length) throw problem(bytes.length, "unexpected end of data");
                b.put(bytes, (int) pos, b.remaining());
                return;
            }
            long p = pos;
            while (b.hasRemaining()) {
                int r = channel.read(b, p);
                if (r < 0) throw problem(p, "unexpected end of file");
                p += r;
            }
        }
    }

    private static Contents read(Source src, Device device) throws IOException {
        long size = src.size();
        if (size < 8) throw src.problem(0, (src.path() != null ? "file" : "data") + " is " + size + " bytes, too short for the 8-byte header length");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        src.readFully(lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 2 || n > MAX_HEADER) {
            throw src.problem(0, "header length " + Long.toUnsignedString(n) + " is not in [2, " + MAX_HEADER + "]");
        }
        if (8 + n > size) {
            throw src.problem(0, "header length " + n + " runs past the end of the " + (src.path() != null ? "file" : "data") + " (" + size + " bytes)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        src.readFully(hb, 8);
        String text = new String(hb.array(), StandardCharsets.UTF_8);
        if (!text.startsWith("{")) throw src.problem(8, "header does not start with '{'");
        JsonNode header;
        try {
            header = JSON.readTree(text.stripTrailing());
        } catch (JsonProcessingException e) {
            throw src.problem(8 + Math.max(0, e.getLocation() == null ? 0 : e.getLocation().getCharOffset()),
                    "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) throw src.problem(8, "header is not a JSON object");
        long dataStart = 8 + n;
        long dataLen = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                if (!f.getValue().isObject()) throw src.problem(8, "__metadata__ is not an object of strings");
                for (Iterator<Map.Entry<String, JsonNode>> m = f.getValue().fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw src.problem(8, "__metadata__ value of '" + kv.getKey() + "' is not a string");
                    }
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            entries.add(entry(src, f.getKey(), f.getValue()));
        }
        // data_offsets must tile the data region exactly: no gaps, overlaps or trailing bytes
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort((a, b) -> Long.compare(a.begin, b.begin));
        long expected = 0;
        for (Entry e : byOffset) {
            if (e.begin != expected) {
                throw src.problem(dataStart + Math.min(e.begin, expected), "tensor '" + e.name + "' starts at data offset "
                        + e.begin + " but the previous tensor ends at " + expected + " (gap or overlap)");
            }
            expected = e.end;
        }
        if (expected != dataLen) {
            throw src.problem(dataStart + Math.min(expected, dataLen), "the tensors cover " + expected
                    + " data bytes but the " + (src.path() != null ? "file" : "data") + " holds " + dataLen + " after the header");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Entry e : entries) {
            ByteBuffer b = ByteBuffer.allocate((int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
            src.readFully(b, dataStart + e.begin);
            b.flip();
            out.put(e.name, toTensor(src, dataStart + e.begin, e, b, device));
        }
        return new Contents(out, metadata);
    }

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private static Entry entry(Source src, String name, JsonNode v) throws SafetensorsException {
        if (!v.isObject()) throw src.problem(8, "entry '" + name + "' is not an object");
        JsonNode dt = v.get("dtype");
        JsonNode sh = v.get("shape");
        JsonNode off = v.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw src.problem(8, "tensor '" + name + "' has no dtype");
        DType dtype = dtypeOf(dt.asText());
        if (dtype == null) {
            throw src.problem(8, "tensor '" + name + "' has dtype " + dt.asText()
                    + ", which Kindling does not support (F32 F64 F16 BF16 I64 I32 I8 U8 BOOL)");
        }
        if (sh == null || !sh.isArray()) throw src.problem(8, "tensor '" + name + "' has no shape array");
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode s = sh.get(i);
            if (!s.canConvertToLong() || !s.isIntegralNumber() || s.asLong() < 0) {
                throw src.problem(8, "tensor '" + name + "' has an invalid shape " + sh);
            }
            shape[i] = s.asLong();
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException e) {
                throw src.problem(8, "tensor '" + name + "' shape " + sh + " overflows");
            }
        }
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()) {
            throw src.problem(8, "tensor '" + name + "' has no [begin, end] data_offsets");
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw src.problem(8, "tensor '" + name + "' has invalid data_offsets [" + begin + ", " + end + "]");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(numel, dtype.itemSize());
        } catch (ArithmeticException e) {
            throw src.problem(8, "tensor '" + name + "' is too large");
        }
        if (end - begin != bytes) {
            throw src.problem(8, "tensor '" + name + "' of dtype " + dt.asText() + " and shape " + sh + " needs "
                    + bytes + " bytes but its data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        if (bytes > Integer.MAX_VALUE - 8) {
            throw src.problem(8, "tensor '" + name + "' (" + bytes + " bytes) is larger than one Java array can hold");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static Tensor toTensor(Source src, long fileOffset, Entry e, ByteBuffer b, Device device) throws SafetensorsException {
        int n = (int) ((e.end - e.begin) / e.dtype.itemSize());
        if (e.dtype == DType.BOOL) {
            int i = HostBytes.firstNonBool(b, n);
            if (i >= 0) throw src.problem(fileOffset + i, "tensor '" + e.name + "' is BOOL but holds byte " + (b.get(i) & 0xff));
        }
        Object host = HostBytes.hostArray(b, e.dtype, n);
        Tensor t = Torch.tensor(host, e.dtype, n).reshape(e.shape);
        return device.isCpu() ? t : t.to(device);
    }
}
