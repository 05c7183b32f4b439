package dev.kindling.datasets.cifar;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.Dataset;
import dev.kindling.data.DatasetFormatException;
import dev.kindling.data.DatasetNotFoundException;
import dev.kindling.data.Sample;
import dev.kindling.data.spi.DataFiles;
import dev.kindling.data.spi.ImageInput;
import dev.kindling.data.transforms.Transform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * CIFAR-10 from the official binary version: each batch file is a sequence of 3,073-byte records, a label byte
 * (0..9) then a 32x32 image as three 1,024-byte planes (red, green, blue), rows top to bottom. The training split is
 * {@code data_batch_1.bin} ... {@code data_batch_5.bin} (50,000 images), the test split {@code test_batch.bin}
 * (10,000). Sample {@code i} is a UINT8 image {@code [32, 32, 3]} (HWC, as torchvision's CIFAR10 array) and a 0-dim
 * INT64 label.
 *
 * <p>{@code root} may be the folder with the {@code .bin} files, a folder holding {@code cifar-10-batches-bin/}, a
 * folder holding {@code cifar-10-binary.tar.gz}, or that archive itself, which is then read directly (gzipped or
 * plain tar) without extracting anything to disk.
 */
public class Cifar10Dataset implements Dataset<Sample> {
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
    public static final String ARCHIVE = "cifar-10-binary.tar.gz";
    public static final String FOLDER = "cifar-10-batches-bin";
    /** Bytes per record: one label byte and 3 x 32 x 32 pixel bytes. */
    public static final int RECORD = 1 + 3 * 32 * 32;
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final List<String> TEST_FILES = List.of("test_batch.bin");
    static final String HOW_TO_GET = "Get the binary version, cifar-10-binary.tar.gz, from https://www.cs.toronto.edu/~kriz/cifar.html and put "
            + "the archive (it is read directly) or its extracted cifar-10-batches-bin folder in the root directory.";

    private final boolean train;
    private final List<byte[]> chunks = new ArrayList<>();
    private final List<Path> sources = new ArrayList<>();
    private final int[] starts;
    private final int n;
    private final Transform<Tensor, Tensor> transform;
    private final Transform<Tensor, Tensor> targetTransform;

    /**
     * @param root see the class comment
     * @param train the training split, else the test split
     * @param transform applied to each image (null for none)
     * @param targetTransform applied to each label (null for none)
     */
    public Cifar10Dataset(Path root, boolean train, Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) {
        if (root == null) throw new IllegalArgumentException("CIFAR-10 needs a root directory or the path of " + ARCHIVE + ". " + HOW_TO_GET);
        this.train = train;
        this.transform = transform;
        this.targetTransform = targetTransform;
        List<String> names = train ? TRAIN_FILES : TEST_FILES;
        if (Files.isRegularFile(root)) {
            readArchive(root, names);
        } else {
            List<Path> dirs = List.of(root, root.resolve(FOLDER));
            Path dir = null;
            for (Path d : dirs) {
                if (Files.isRegularFile(d.resolve(names.get(0)))) {
                    dir = d;
                    break;
                }
            }
            Path archive = root.resolve(ARCHIVE);
            if (dir != null) {
                for (String name : names) {
                    Path f = dir.resolve(name);
                    if (!Files.isRegularFile(f)) {
                        throw new DatasetNotFoundException("CIFAR-10 " + (train ? "training" : "test") + " batch " + f.toAbsolutePath()
                                + " is missing (found " + dir.resolve(names.get(0)) + "). " + HOW_TO_GET + "\nKindling never downloads data.", List.of(f));
                    }
                    add(f, DataFiles.readAll(f).bytes(), 0, f.toString());
                }
            } else if (Files.isRegularFile(archive)) {
                readArchive(archive, names);
            } else {
                List<Path> tried = new ArrayList<>();
                StringBuilder sb = new StringBuilder("CIFAR-10 " + (train ? "training" : "test") + " data not found. Looked for ")
                        .append(names.get(0)).append(names.size() > 1 ? " ... " + names.get(names.size() - 1) : "").append(" in:");
                for (Path d : dirs) {
                    tried.add(d.resolve(names.get(0)));
                    sb.append("\n  ").append(d.toAbsolutePath()).append(Files.isDirectory(d) ? "" : " (no such directory)");
                }
                tried.add(archive);
                sb.append("\nand for the archive ").append(archive.toAbsolutePath()).append(".\n").append(HOW_TO_GET).append("\nKindling never downloads data.");
                throw new DatasetNotFoundException(sb.toString(), tried);
            }
        }
        starts = new int[chunks.size() + 1];
        for (int i = 0; i < chunks.size(); i++) starts[i + 1] = starts[i] + chunks.get(i).length / RECORD;
        n = starts[chunks.size()];
    }

    private void readArchive(Path archive, List<String> names) {
        Map<String, TarReader.Entry> entries = TarReader.extract(archive, new LinkedHashSet<>(names), size -> size % RECORD == 0,
                "a CIFAR-10 batch must be a whole number of " + RECORD + "-byte records");
        for (String name : names) {
            TarReader.Entry e = entries.get(name);
            if (e == null) {
                throw DatasetFormatException.of(archive, "the archive has no entry " + name + " (expected " + FOLDER + "/" + name
                        + "); is it the binary version of CIFAR-10? " + HOW_TO_GET, null);
            }
            add(archive, e.data, e.offset, archive + " entry " + e.name);
        }
    }

    /** Checks one batch: whole records, labels 0..9. */
    private void add(Path file, byte[] data, long baseOffset, String what) {
        if (data.length % RECORD != 0) {
            long last = (long) (data.length / RECORD) * RECORD;
            throw DatasetFormatException.atOffset(file, baseOffset + last, (baseOffset > 0 ? what + ": " : "") + "truncated: " + data.length
                    + " bytes is not a whole number of " + RECORD + "-byte records; the record starting here has only "
                    + (data.length - last) + " bytes");
        }
        for (int r = 0, at = 0; at < data.length; r++, at += RECORD) {
            int label = data[at] & 0xff;
            if (label > 9) {
                throw DatasetFormatException.atOffset(file, baseOffset + at, (baseOffset > 0 ? what + ": " : "") + "record " + r
                        + " has label " + label + ", not a class index 0..9 (is this the CIFAR-10 binary format? CIFAR-100 records have two label bytes)");
            }
        }
        chunks.add(data);
        sources.add(file);
    }

    public boolean train() { return train; }

    public List<String> classes() { return CLASSES; }

    @Override
    public int size() { return n; }

    private int chunkOf(int index) {
        int lo = 0, hi = chunks.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= index) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    @Override
    public Sample get(int index) {
        if (index < 0 || index >= n) throw Dataset.outOfRange(index, n);
        int c = chunkOf(index);
        byte[] data = chunks.get(c);
        int at = (index - starts[c]) * RECORD;
        Tensor image = ImageInput.of(data, at + 1, 32, 32, 3, true, transform);
        Tensor target = Torch.tensor((long) (data[at] & 0xff));
        if (targetTransform != null) target = targetTransform.apply(target);
        return new Sample(image, target);
    }

    /** The label of sample {@code index}. */
    public int label(int index) {
        if (index < 0 || index >= n) throw Dataset.outOfRange(index, n);
        int c = chunkOf(index);
        return chunks.get(c)[(index - starts[c]) * RECORD] & 0xff;
    }

    /** All labels, INT64 {@code [N]}. */
    public Tensor targets() {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) t[i] = label(i);
        return Torch.tensor(t, n);
    }

    @Override
    public String toString() {
        return "Dataset CIFAR10\n    Number of datapoints: " + n + "\n    Split: " + (train ? "Train" : "Test") + "\n    Source: "
                + (sources.isEmpty() ? "-" : sources.get(0)) + (transform == null ? "" : "\n    Transform: " + transform);
    }
}
