package dev.kindling.io.internal;

import dev.kindling.api.Tensor;
import dev.kindling.io.AtomicFiles;
import dev.kindling.kernel.ops.DenseTensor;
import dev.kindling.kernel.spi.Storage;
import dev.kindling.kernel.spi.View;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state dict as {@code torch.save} does (zip format, pickle protocol 2): an {@code OrderedDict} of
 * {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())}; each storage once, under
 * {@code <archive>/data/<key>}, so tensors that share storage keep sharing it after {@code torch.load}. Records are
 * stored uncompressed with their data 64-byte aligned and in the order PyTorch 2.x writes them (data.pkl,
 * .format_version, .storage_alignment, byteorder, data/*, version); no serialization id, so the output is
 * deterministic.
 */
public final class TorchWriter {
    private static final int ALIGN = 64;
    private static final int BATCH = 1000; // pickle's SETITEMS batch size

    private TorchWriter() {}

    public static void save(Map<String, Tensor> stateDict, Path path) throws IOException {
        String archive = archiveName(path);
        AtomicFiles.write(path, ch -> {
            // everything is built inside the write, so any failure leaves the old file in place
            IdentityHashMap<Storage, Integer> keys = new IdentityHashMap<>();
            List<DenseTensor> owners = new ArrayList<>();
            PickleWriter p = new PickleWriter();
            p.global("collections", "OrderedDict").emptyTuple().reduce();
            int i = 0;
            for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
                String name = e.getKey();
                if (name == null) throw new IllegalArgumentException("a state dict key is null");
                if (!(e.getValue() instanceof DenseTensor)) {
                    throw new IllegalArgumentException("tensor '" + name + "' is " + (e.getValue() == null ? "null" : "not a Kindling tensor"));
                }
                DenseTensor t = (DenseTensor) e.getValue();
                if (i % BATCH == 0) p.mark();
                Storage s = t.storage();
                Integer key = keys.get(s);
                if (key == null) {
                    key = keys.size();
                    keys.put(s, key);
                    owners.add(t);
                }
                p.str(name, false);
                p.global("torch._utils", "_rebuild_tensor_v2");
                p.mark();
                p.mark().str("storage", true).global("torch", TorchReader.storageClass(t.dtype())).str(Integer.toString(key), false)
                        .str("cpu", true).integer(s.numel()).tuple().binPersId();
                p.integer(t.storageOffset()).ints(t.shapeRef()).ints(t.stridesRef()).bool(false);
                p.global("collections", "OrderedDict").emptyTuple().reduce();
                p.tuple().reduce();
                if (++i % BATCH == 0) p.setItems();
            }
            if (i % BATCH != 0) p.setItems();
            byte[] pkl = p.finish();

            Counting count = new Counting(new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16));
            ZipOutputStream zip = new ZipOutputStream(count, StandardCharsets.UTF_8);
            record(zip, count, archive + "/data.pkl", pkl);
            record(zip, count, archive + "/.format_version", ascii("1"));
            record(zip, count, archive + "/.storage_alignment", ascii(Integer.toString(ALIGN)));
            record(zip, count, archive + "/byteorder", ascii("little"));
            for (int k = 0; k < owners.size(); k++) record(zip, count, archive + "/data/" + k, storageBytes(owners.get(k)));
            record(zip, count, archive + "/version", ascii("3\n"));
            zip.finish(); // not close(): AtomicFiles owns the channel
            count.flush();
        });
    }

    /** The archive folder: the file name without its extension, as torch.save names it. */
    static String archiveName(Path path) {
        Path f = path.getFileName();
        String n = f == null ? "" : f.toString();
        int dot = n.lastIndexOf('.');
        if (dot >= 0) n = n.substring(0, dot);
        return n.isEmpty() ? "archive" : n;
    }

    private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    /** The whole storage, little-endian, however much of it the tensors use (as PyTorch writes it). */
    private static byte[] storageBytes(DenseTensor t) {
        Storage s = t.storage();
        long n = s.numel();
        if (n * s.dtype().itemSize() > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("a storage of " + n + " elements is too large to write");
        Object host = t.backend().toHost(new View(s, new long[] {n}, new long[] {1}, 0));
        return HostBytes.littleEndian(host, s.dtype().itemSize());
    }

    /** A stored record whose data starts on a 64-byte boundary (padding in an extra field, as PyTorch's writer does). */
    private static void record(ZipOutputStream zip, Counting count, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        // a fixed DOS time (setTimeLocal would add an extended-timestamp field and break the alignment)
        e.setTime(LocalDateTime.of(1980, 1, 1, 0, 0).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli());
        long dataStart = count.count + 30 + name.getBytes(StandardCharsets.UTF_8).length + 4;
        int pad = (int) ((ALIGN - dataStart % ALIGN) % ALIGN);
        byte[] extra = new byte[4 + pad];
        extra[0] = 'F';
        extra[1] = 'B';
        extra[2] = (byte) pad;
        extra[3] = (byte) (pad >>> 8);
        e.setExtra(extra);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) { super(out); }

        @Override public void write(int b) throws IOException { out.write(b); count++; }

        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); count += len; }
    }
}
