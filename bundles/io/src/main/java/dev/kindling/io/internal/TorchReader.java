package dev.kindling.io.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.io.PyTorchFileException;
import dev.kindling.io.internal.Unpickler.Dict;
import dev.kindling.io.internal.Unpickler.Global;
import dev.kindling.io.internal.Unpickler.PickleException;
import dev.kindling.io.internal.Unpickler.Tuple;
import dev.kindling.kernel.ops.DenseTensor;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads what {@code torch.save} writes: the zip format (PyTorch 1.6+: {@code <archive>/data.pkl}, storages in
 * {@code <archive>/data/<key>}, an optional {@code byteorder} record) and the legacy format (a run of pickles followed
 * by the raw storages). The pickle goes through the allow-list {@link Unpickler}; tensors are built only after every
 * index, size and stride has been checked against the storage it points into, and no allocation is larger than the
 * archive entry (or file region) it comes from.
 */
public final class TorchReader {
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final int MAX_DIMS = 64;
    private static final int MAX_DEPTH = 64;
    /** Views may repeat elements (stride 0) only up to this many elements beyond their storage's size. */
    private static final long MAX_EXPANDED = 1L << 20;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Path path;
    private final long fileSize;
    private String where = "";
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private final Map<String, StorageRef> storages = new LinkedHashMap<>();

    private TorchReader(Path path, long fileSize) {
        this.path = path;
        this.fileSize = fileSize;
    }

    /** A storage named by a persistent id; its bytes are read when a tensor needs them. */
    static final class StorageRef {
        final String key;
        final String cls;
        final DType dtype;
        final long numel;
        long legacyOffset = -1;
        DenseTensor tensor;

        StorageRef(String key, String cls, DType dtype, long numel) {
            this.key = key;
            this.cls = cls;
            this.dtype = dtype;
            this.numel = numel;
        }
    }

    /** A tensor whose layout has been checked against its storage. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    public static Map<String, Tensor> read(Path path, Device device) throws IOException {
        long size = Files.size(path);
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, 4);
        }
        TorchReader r = new TorchReader(path, size);
        if (n == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return r.readZip(device);
        if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] == 2) return r.readLegacy(device);
        if (n == 4 && head[0] == 'P' && head[1] == 'K') {
            throw new PyTorchFileException(path, "", "an empty or unusual zip archive, not a torch.save checkpoint");
        }
        throw new PyTorchFileException(path, "", "not a PyTorch checkpoint: it starts with neither a zip header (torch.save "
                + "since 1.6) nor a protocol-2 pickle (the legacy format)" + (size < 4 ? " (the file is " + size + " bytes)" : ""));
    }

    // ------------------------------------------------------------------ zip format

    private Map<String, Tensor> readZip(Device device) throws IOException {
        try (ZipFile zip = new ZipFile(path.toFile())) {
            Enumeration<? extends ZipEntry> en = zip.entries();
            if (!en.hasMoreElements()) throw new PyTorchFileException(path, "zip archive", "the archive has no entries");
            String first = en.nextElement().getName();
            int slash = first.indexOf('/');
            if (slash <= 0) throw new PyTorchFileException(path, "entry '" + first + "'", "the first entry is not inside an archive folder");
            String prefix = first.substring(0, slash + 1);
            ZipEntry pklEntry = zip.getEntry(prefix + "data.pkl");
            if (pklEntry == null) {
                if (zip.getEntry(prefix + "constants.pkl") != null || zip.getEntry(prefix + "code/") != null) {
                    throw new PyTorchFileException(path, "zip archive", "a TorchScript archive (torch.jit.save); Kindling reads "
                            + "torch.save checkpoints (save model.state_dict())");
                }
                throw new PyTorchFileException(path, "zip archive", "no entry '" + prefix + "data.pkl': not a torch.save checkpoint");
            }
            ZipEntry bo = zip.getEntry(prefix + "byteorder");
            if (bo != null) {
                where = "entry '" + bo.getName() + "'";
                String s = new String(readEntry(zip, bo, -1, 16), StandardCharsets.US_ASCII).trim();
                if (s.equals("big")) order = ByteOrder.BIG_ENDIAN;
                else if (!s.equals("little")) throw new PyTorchFileException(path, where, "byte order '" + s + "' is neither 'little' nor 'big'");
            }
            where = "entry '" + pklEntry.getName() + "'";
            byte[] pkl = readEntry(zip, pklEntry, -1, MAX_ARRAY);
            Object root = unpickle(pkl, 0, new Hooks(false)).value;
            Map<String, TensorRef> refs = flatten(root, pkl.length);
            for (TensorRef t : refs.values()) {
                StorageRef s = t.storage;
                if (s.tensor != null) continue;
                ZipEntry e = zip.getEntry(prefix + "data/" + s.key);
                where = "entry '" + prefix + "data/" + s.key + "'";
                if (e == null) throw new PyTorchFileException(path, where, "storage '" + s.key + "' is missing from the archive");
                long bytes = s.numel * s.dtype.itemSize(); // numel was checked against the file size
                s.tensor = storageTensor(s, ByteBuffer.wrap(readEntry(zip, e, bytes, MAX_ARRAY)));
            }
            return build(refs, device);
        } catch (PyTorchFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // java.util.zip reports a damaged archive with ZipException, EOFException or IllegalArgumentException
            throw new PyTorchFileException(path, where.isEmpty() ? "zip archive" : where, "damaged zip archive: " + e, e);
        }
    }

    /** The entry's bytes; {@code expected} >= 0 demands that size. Never allocates more than the entry can hold. */
    private byte[] readEntry(ZipFile zip, ZipEntry e, long expected, int cap) throws IOException {
        long declared = e.getSize();
        if (expected >= 0 && declared >= 0 && declared != expected) {
            throw new PyTorchFileException(path, where, "the entry holds " + declared + " bytes but its storage needs " + expected);
        }
        // a stored entry fits in the file; a deflated one expands at most ~1032x
        long bound = e.getMethod() == ZipEntry.STORED ? fileSize : Math.min(Long.MAX_VALUE / 2048, fileSize) * 1100;
        long want = expected >= 0 ? expected : declared;
        if (want > bound || want > cap) {
            throw new PyTorchFileException(path, where, "the entry claims " + want + " bytes, more than the file (" + fileSize + " bytes) can hold");
        }
        try (InputStream in = zip.getInputStream(e)) {
            if (want >= 0) {
                byte[] b = in.readNBytes((int) want);
                if (b.length != want) throw new PyTorchFileException(path, where, "the entry ends after " + b.length + " of " + want + " bytes");
                return b;
            }
            byte[] b = in.readNBytes((int) Math.min(cap, bound) + 1);
            if (b.length > Math.min(cap, bound)) throw new PyTorchFileException(path, where, "the entry is larger than " + Math.min(cap, bound) + " bytes");
            return b;
        }
    }

    // ------------------------------------------------------------------ legacy format

    private Map<String, Tensor> readLegacy(Device device) throws IOException {
        if (fileSize > MAX_ARRAY) throw new PyTorchFileException(path, "legacy format", "legacy-format files over 2 GiB are not supported");
        byte[] all = Files.readAllBytes(path);
        where = "legacy format, magic number";
        Parsed magic = unpickle(all, 0, null);
        if (!LEGACY_MAGIC.equals(magic.value instanceof Long ? BigInteger.valueOf((Long) magic.value) : magic.value)) {
            throw new PyTorchFileException(path, "legacy format", "a pickle but not a torch.save checkpoint (no PyTorch magic number)");
        }
        where = "legacy format, protocol version";
        Parsed proto = unpickle(all, magic.end, null);
        if (!Long.valueOf(1001).equals(proto.value)) throw new PyTorchFileException(path, where, "protocol version " + proto.value + ", expected 1001");
        where = "legacy format, system info";
        Parsed sys = unpickle(all, proto.end, null);
        if (sys.value instanceof Dict && Boolean.FALSE.equals(((Dict) sys.value).get("little_endian"))) order = ByteOrder.BIG_ENDIAN;
        where = "legacy format, object pickle at byte " + sys.end;
        Parsed main = unpickle(all, sys.end, new Hooks(true));
        where = "legacy format, storage keys at byte " + main.end;
        Parsed keys = unpickle(all, main.end, null);
        if (!(keys.value instanceof List)) throw new PyTorchFileException(path, where, "the storage keys are " + Unpickler.aType(keys.value) + ", not a list");
        long pos = keys.end;
        for (Object k : (List<?>) keys.value) {
            StorageRef s = k instanceof String ? storages.get(k) : null;
            where = "legacy format, storage data at byte " + pos;
            if (s == null) throw new PyTorchFileException(path, where, "storage key " + k + " was never referenced by the object pickle");
            if (s.legacyOffset >= 0) throw new PyTorchFileException(path, where, "storage '" + s.key + "' appears twice");
            if (all.length - pos < 8) throw new PyTorchFileException(path, where, "the file ends before storage '" + s.key + "'");
            long n = ByteBuffer.wrap(all, (int) pos, 8).order(order).getLong();
            if (n != s.numel) throw new PyTorchFileException(path, where, "storage '" + s.key + "' has " + n + " elements here but " + s.numel + " in the pickle");
            long bytes = s.numel * s.dtype.itemSize();
            if (bytes > all.length - pos - 8) throw new PyTorchFileException(path, where, "storage '" + s.key + "' (" + bytes + " bytes) runs past the end of the file");
            s.legacyOffset = pos + 8;
            pos += 8 + bytes;
        }
        Map<String, TensorRef> refs = flatten(main.value, main.end - sys.end);
        for (TensorRef t : refs.values()) {
            StorageRef s = t.storage;
            where = "legacy format, storage '" + s.key + "'";
            if (s.legacyOffset < 0) throw new PyTorchFileException(path, where, "the data of storage '" + s.key + "' is not in the file");
            if (s.tensor == null) s.tensor = storageTensor(s, ByteBuffer.wrap(all, (int) s.legacyOffset, (int) (s.numel * s.dtype.itemSize())).slice());
        }
        return build(refs, device);
    }

    // ------------------------------------------------------------------ pickle

    private record Parsed(Object value, int end) {}

    private Parsed unpickle(byte[] data, int start, Hooks hooks) throws PyTorchFileException {
        Unpickler u = new Unpickler(data, start, data.length, hooks);
        try {
            Object v = u.load();
            return new Parsed(v, u.position());
        } catch (PickleException e) {
            String op = e.opcode >= 0x20 && e.opcode < 0x7f ? "'" + (char) e.opcode + "'" : "0x" + Integer.toHexString(e.opcode);
            throw new PyTorchFileException(path, where + ", pickle offset " + e.offset + ", opcode " + op, e.getMessage());
        }
    }

    private final class Hooks implements Unpickler.Hooks {
        private final boolean legacy;

        Hooks(boolean legacy) { this.legacy = legacy; }

        @Override
        public Object persistentLoad(Tuple pid, int offset) {
            Object tag = pid.size() > 0 ? pid.get(0) : null;
            if (tag instanceof byte[]) tag = new String((byte[]) tag, StandardCharsets.US_ASCII);
            if (!"storage".equals(tag)) throw new PickleException(offset, 'Q', "only persistent ids of storages are allowed, got " + describe(tag));
            if (pid.size() != (legacy ? 6 : 5)) throw new PickleException(offset, 'Q', "a storage persistent id has " + pid.size() + " items, expected " + (legacy ? 6 : 5));
            if (!(pid.get(1) instanceof Global) || !Unpickler.STORAGE_CLASSES.contains(((Global) pid.get(1)).qualified())) {
                throw new PickleException(offset, 'Q', "storage type " + describe(pid.get(1)) + " is not a torch storage class");
            }
            String cls = ((Global) pid.get(1)).qualified();
            if (!(pid.get(2) instanceof String)) throw new PickleException(offset, 'Q', "storage key is " + Unpickler.aType(pid.get(2)) + ", not a str");
            String key = (String) pid.get(2);
            if (!(pid.get(3) instanceof String)) throw new PickleException(offset, 'Q', "storage location is " + Unpickler.aType(pid.get(3)) + ", not a str");
            long numel = nonNegative(pid.get(4), "storage size", offset, 'Q');
            if (legacy && pid.get(5) != null) throw new PickleException(offset, 'Q', "legacy storage views (PyTorch < 0.4) are not supported");
            DType dtype = storageDType(cls);
            if (dtype == null) throw new PickleException(offset, 'Q', "storage '" + key + "' is " + cls + ", a dtype Kindling does not support "
                    + "(float32/64/16, bfloat16, int64/32/8, uint8, bool)");
            // an untyped storage counts bytes and loads as uint8
            if (numel > fileSize / dtype.itemSize()) {
                throw new PickleException(offset, 'Q', "storage '" + key + "' claims " + numel + " elements of " + dtype.itemSize()
                        + " bytes, more than the file (" + fileSize + " bytes) holds");
            }
            StorageRef s = storages.get(key);
            if (s == null) {
                s = new StorageRef(key, cls, dtype, numel);
                storages.put(key, s);
            } else if (!s.cls.equals(cls) || s.numel != numel) {
                throw new PickleException(offset, 'Q', "storage '" + key + "' is referenced as " + s.cls + " of " + s.numel
                        + " elements and as " + cls + " of " + numel);
            }
            return s;
        }

        @Override
        public Object call(String global, Tuple a, int offset) {
            switch (global) {
                case "torch._utils._rebuild_tensor_v2":
                    if (a.size() != 6 && a.size() != 7) throw args(global, a, "6 or 7", offset);
                    if (!(a.get(4) instanceof Boolean)) throw new PickleException(offset, 'R', global + ": requires_grad is " + Unpickler.aType(a.get(4)));
                    if (!(a.get(5) instanceof Dict)) throw new PickleException(offset, 'R', global + ": backward_hooks is " + Unpickler.aType(a.get(5)));
                    return tensor(a, offset);
                case "torch._utils._rebuild_tensor":
                    if (a.size() != 4) throw args(global, a, "4", offset);
                    return tensor(a, offset);
                case "torch._utils._rebuild_parameter":
                case "torch._utils._rebuild_parameter_with_state":
                    if (a.size() != (global.endsWith("state") ? 4 : 3)) throw args(global, a, global.endsWith("state") ? "4" : "3", offset);
                    if (!(a.get(0) instanceof TensorRef)) throw new PickleException(offset, 'R', global + ": data is " + Unpickler.aType(a.get(0)) + ", not a tensor");
                    return a.get(0); // a Parameter loads as a plain tensor, as in a state dict
                default:
                    throw new PickleException(offset, 'R', "'" + global + "' cannot be called");
            }
        }

        private PickleException args(String global, Tuple a, String want, int offset) {
            return new PickleException(offset, 'R', global + " called with " + a.size() + " arguments, expected " + want);
        }

        private TensorRef tensor(Tuple a, int offset) {
            if (!(a.get(0) instanceof StorageRef)) throw new PickleException(offset, 'R', "tensor storage is " + Unpickler.aType(a.get(0)) + ", not a storage");
            StorageRef s = (StorageRef) a.get(0);
            long off = nonNegative(a.get(1), "storage offset", offset, 'R');
            long[] size = ints(a.get(2), "size", offset);
            long[] stride = ints(a.get(3), "stride", offset);
            if (size.length != stride.length) throw new PickleException(offset, 'R', "size has " + size.length + " dims but stride " + stride.length);
            long numel = 1;
            long last = off;
            try {
                for (int i = 0; i < size.length; i++) {
                    numel = Math.multiplyExact(numel, size[i]);
                    if (size[i] > 0) last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
                }
            } catch (ArithmeticException e) {
                throw new PickleException(offset, 'R', "size " + java.util.Arrays.toString(size) + " with stride " + java.util.Arrays.toString(stride) + " overflows");
            }
            if (numel > 0 && last >= s.numel) {
                throw new PickleException(offset, 'R', "tensor of size " + java.util.Arrays.toString(size) + ", stride " + java.util.Arrays.toString(stride)
                        + " at offset " + off + " reaches element " + last + " of storage '" + s.key + "', which has " + s.numel);
            }
            if (numel == 0 && off > s.numel) throw new PickleException(offset, 'R', "storage offset " + off + " is past the end of storage '" + s.key + "' (" + s.numel + ")");
            if (numel > Math.max(s.numel, MAX_EXPANDED)) {
                throw new PickleException(offset, 'R', "tensor of " + numel + " elements repeats the " + s.numel + " of storage '" + s.key
                        + "' (expanded views of more than " + MAX_EXPANDED + " elements are not loaded)");
            }
            return new TensorRef(s, off, size, stride);
        }

        private long[] ints(Object o, String what, int offset) {
            if (!(o instanceof Tuple)) throw new PickleException(offset, 'R', "tensor " + what + " is " + Unpickler.aType(o) + ", not a tuple");
            Tuple t = (Tuple) o;
            if (t.size() > MAX_DIMS) throw new PickleException(offset, 'R', "tensor " + what + " has " + t.size() + " dims (at most " + MAX_DIMS + ")");
            long[] v = new long[t.size()];
            for (int i = 0; i < v.length; i++) v[i] = nonNegative(t.get(i), what, offset, 'R');
            return v;
        }

        private long nonNegative(Object o, String what, int offset, int opcode) {
            if (!(o instanceof Long) || (Long) o < 0) throw new PickleException(offset, opcode, what + " " + describe(o) + " is not a non-negative int");
            return (Long) o;
        }
    }

    private static String describe(Object o) {
        return o instanceof String || o instanceof Long ? "'" + o + "'" : o instanceof Global ? ((Global) o).qualified() : "" + Unpickler.aType(o);
    }

    static DType storageDType(String cls) {
        switch (cls) {
            case "torch.FloatStorage": return DType.FLOAT32;
            case "torch.DoubleStorage": return DType.FLOAT64;
            case "torch.HalfStorage": return DType.FLOAT16;
            case "torch.BFloat16Storage": return DType.BFLOAT16;
            case "torch.LongStorage": return DType.INT64;
            case "torch.IntStorage": return DType.INT32;
            case "torch.CharStorage": return DType.INT8;
            case "torch.ByteStorage": case "torch.UntypedStorage": case "torch.storage.UntypedStorage": return DType.UINT8;
            case "torch.BoolStorage": return DType.BOOL;
            default: return null;
        }
    }

    static String storageClass(DType t) {
        switch (t) {
            case FLOAT32: return "FloatStorage";
            case FLOAT64: return "DoubleStorage";
            case FLOAT16: return "HalfStorage";
            case BFLOAT16: return "BFloat16Storage";
            case INT64: return "LongStorage";
            case INT32: return "IntStorage";
            case INT8: return "CharStorage";
            case UINT8: return "ByteStorage";
            case BOOL: return "BoolStorage";
            default: throw new IllegalArgumentException("dtype " + t + " has no PyTorch storage class");
        }
    }

    // ------------------------------------------------------------------ result

    /** Nested dicts, lists and tuples of tensors, flattened with dotted keys ({@code {"a": {"b": t}}} -> {@code a.b}). */
    private Map<String, TensorRef> flatten(Object root, int pickleLength) throws PyTorchFileException {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        if (root instanceof TensorRef) {
            throw new PyTorchFileException(path, where, "the file holds a single tensor, not a dict of tensors (save {'name': tensor} or a state_dict())");
        }
        if (!(root instanceof Dict || root instanceof List || root instanceof Tuple)) {
            throw new PyTorchFileException(path, where, "the file holds " + Unpickler.aType(root) + ", not a dict of tensors");
        }
        long[] budget = {4L * pickleLength + 64}; // shared references cannot blow up the walk
        walk("", root, 0, out, budget);
        return out;
    }

    private void walk(String key, Object o, int depth, Map<String, TensorRef> out, long[] budget) throws PyTorchFileException {
        if (--budget[0] < 0) throw new PyTorchFileException(path, where, "the object graph is far larger than the pickle (shared references)");
        if (depth > MAX_DEPTH) throw new PyTorchFileException(path, where, "'" + key + "' is nested more than " + MAX_DEPTH + " levels deep");
        if (o instanceof TensorRef) {
            if (out.put(key, (TensorRef) o) != null) throw new PyTorchFileException(path, where, "key '" + key + "' occurs twice after flattening nested dicts");
        } else if (o instanceof Dict) {
            for (Map.Entry<Object, Object> e : ((Dict) o).entrySet()) {
                Object k = e.getKey();
                if (!(k instanceof String || k instanceof Long || k instanceof BigInteger)) {
                    throw new PyTorchFileException(path, where, "'" + key + "' has a key of type " + Unpickler.typeName(k) + " (str or int keys only)");
                }
                walk(key.isEmpty() ? k.toString() : key + "." + k, e.getValue(), depth + 1, out, budget);
            }
        } else if (o instanceof List || o instanceof Tuple) {
            List<?> items = o instanceof List ? (List<?>) o : List.of(((Tuple) o).items);
            for (int i = 0; i < items.size(); i++) walk(key.isEmpty() ? Integer.toString(i) : key + "." + i, items.get(i), depth + 1, out, budget);
        } else {
            throw new PyTorchFileException(path, where, "'" + key + "' is " + Unpickler.aType(o) + ", not a tensor: Kindling loads dicts of "
                    + "tensors (nested dicts and lists are flattened with dotted keys); save model.state_dict() alone");
        }
    }

    private DenseTensor storageTensor(StorageRef s, ByteBuffer b) throws PyTorchFileException {
        b.order(order);
        int n = (int) s.numel;
        if (s.dtype == DType.BOOL) {
            int i = HostBytes.firstNonBool(b, n);
            if (i >= 0) throw new PyTorchFileException(path, where, "bool storage '" + s.key + "' holds byte " + (b.get(i) & 0xff) + " at element " + i);
        }
        Object host = HostBytes.hostArray(b, s.dtype, n);
        return (DenseTensor) Torch.tensor(host, s.dtype, n);
    }

    private static Map<String, Tensor> build(Map<String, TensorRef> refs, Device device) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<TensorRef, Tensor> done = new HashMap<>();
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            TensorRef r = e.getValue();
            Tensor t = done.get(r);
            if (t == null) {
                DenseTensor base = r.storage.tensor;
                // shares the storage without being a view of it, as torch.load's tensors do
                t = DenseTensor.of(base.kernel(), base.impl().restrided(r.size.clone(), r.stride.clone(), r.offset));
                if (!device.isCpu()) t = t.to(device);
                done.put(r, t);
            }
            out.put(e.getKey(), t);
        }
        return out;
    }

}
