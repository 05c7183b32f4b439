package dev.kindling.datasets.idx;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.Dataset;
import dev.kindling.data.DatasetFormatException;
import dev.kindling.data.Sample;
import dev.kindling.data.spi.DataFiles;
import dev.kindling.data.spi.ImageInput;
import dev.kindling.data.transforms.Transform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An MNIST-style image classification set from a pair of IDX files (images {@code [N, H, W]}, labels {@code [N]}),
 * gzipped or raw, as torchvision's {@code MNIST} and {@code FashionMNIST}: sample {@code i} is a UINT8 image
 * {@code [H, W, 1]} (HWC) and a 0-dim INT64 label, each passed through its transform if one is given.
 *
 * <p>The files are looked for in {@code root}, {@code root/<Folder>/raw}, {@code root/<Folder>} and {@code root/raw}
 * (torchvision's layout), under their official names ({@code train-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte},
 * ..., with or without {@code .gz}). All pixels are held in memory (47 MB for a 60,000-image training set).
 */
public class IdxImageDataset implements Dataset<Sample> {
    /** The data sets this reader knows. */
    public enum Kind {
        MNIST("MNIST", "MNIST", null, new String[] {"0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
                "6 - six", "7 - seven", "8 - eight", "9 - nine"},
                "Get the four files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
                        + "t10k-labels-idx1-ubyte.gz) from http://yann.lecun.com/exdb/mnist/ or a mirror such as "
                        + "https://ossci-datasets.s3.amazonaws.com/mnist/ and put them in the root directory."),
        FASHION_MNIST("Fashion-MNIST", "FashionMNIST", "/usr/share/datasets/fashion-mnist", new String[] {"T-shirt/top", "Trouser",
                "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
                "On Debian or Ubuntu: apt-get install dataset-fashion-mnist (it installs the files in "
                        + "/usr/share/datasets/fashion-mnist, the default root). Otherwise get the four files "
                        + "(train-images-idx3-ubyte.gz, ...) from https://github.com/zalandoresearch/fashion-mnist "
                        + "(data/fashion) and put them in the root directory.");

        private final String displayName;
        private final String folder;
        private final String defaultRoot;
        private final String[] classes;
        private final String howToGet;

        Kind(String displayName, String folder, String defaultRoot, String[] classes, String howToGet) {
            this.displayName = displayName;
            this.folder = folder;
            this.defaultRoot = defaultRoot;
            this.classes = classes;
            this.howToGet = howToGet;
        }

        public String displayName() { return displayName; }

        /** The directory used when no root is given, or null. */
        public Path defaultRoot() { return defaultRoot == null ? null : Path.of(defaultRoot); }

        public List<String> classes() { return List.of(classes); }

        public String howToGet() { return howToGet; }
    }

    private final Kind kind;
    private final boolean train;
    private final Path imagesFile;
    private final Path labelsFile;
    private final byte[] pixels;
    private final int pixelOffset;
    private final byte[] labels;
    private final int labelOffset;
    private final int n;
    private final int h;
    private final int w;
    private final Transform<Tensor, Tensor> transform;
    private final Transform<Tensor, Tensor> targetTransform;

    /**
     * @param root the directory with the IDX files; null for the kind's default root
     * @param train the 60,000-image training split, else the 10,000-image test split
     * @param transform applied to each image (null for none)
     * @param targetTransform applied to each label (null for none)
     * @throws dev.kindling.data.DatasetNotFoundException when the files are not there (the message says where it looked
     *     and how to get them)
     * @throws DatasetFormatException when a file is malformed
     */
    public IdxImageDataset(Kind kind, Path root, boolean train, Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) {
        this.kind = kind;
        this.train = train;
        this.transform = transform;
        this.targetTransform = targetTransform;
        Path dir = root != null ? root : kind.defaultRoot();
        if (dir == null) {
            throw new IllegalArgumentException(kind.displayName + " needs a root directory (the folder with the IDX files). " + kind.howToGet);
        }
        String split = train ? "train" : "t10k";
        imagesFile = locate(dir, split + "-images", "idx3-ubyte", "images");
        labelsFile = locate(dir, split + "-labels", "idx1-ubyte", "labels");
        IdxFile images = IdxFile.read(imagesFile, IdxFile.IMAGES_MAGIC);
        IdxFile lab = IdxFile.read(labelsFile, IdxFile.LABELS_MAGIC);
        n = images.dim(0);
        h = images.dim(1);
        w = images.dim(2);
        if (lab.dim(0) != n) {
            throw DatasetFormatException.of(labelsFile, "holds " + lab.dim(0) + " labels, but " + imagesFile + " holds " + n
                    + " images: the two files must describe the same samples", null);
        }
        pixels = images.bytes();
        pixelOffset = images.dataOffset();
        labels = lab.bytes();
        labelOffset = lab.dataOffset();
        int classes = kind.classes.length;
        for (int i = 0; i < n; i++) {
            int v = labels[labelOffset + i] & 0xff;
            if (v >= classes) {
                throw DatasetFormatException.atOffset(labelsFile, labelOffset + i, "label " + v + " of sample " + i
                        + " is not a class index 0.." + (classes - 1));
            }
        }
    }

    private Path locate(Path dir, String stem, String type, String what) {
        List<Path> dirs = DataFiles.searchDirs(dir, kind.folder + "/raw", kind.folder, "raw");
        List<String> names = List.of(stem + "-" + type, stem + "." + type);
        List<Path> tried = new ArrayList<>();
        Path p = DataFiles.find(dirs, names, tried);
        if (p == null) {
            List<Path> shown = new ArrayList<>();
            for (Path d : dirs) if (d.equals(dir) || Files.isDirectory(d)) shown.add(d);
            throw DataFiles.notFound(kind.displayName + " " + (train ? "training" : "test") + " " + what, shown, names, tried, kind.howToGet);
        }
        return p;
    }

    public Kind kind() { return kind; }

    public boolean train() { return train; }

    public Path imagesFile() { return imagesFile; }

    public Path labelsFile() { return labelsFile; }

    /** Class names, by index. */
    public List<String> classes() { return kind.classes(); }

    public int height() { return h; }

    public int width() { return w; }

    @Override
    public int size() { return n; }

    @Override
    public Sample get(int index) {
        if (index < 0 || index >= n) throw Dataset.outOfRange(index, n);
        Tensor image = ImageInput.of(pixels, pixelOffset + index * h * w, h, w, 1, false, transform);
        Tensor target = Torch.tensor((long) label(index));
        if (targetTransform != null) target = targetTransform.apply(target);
        return new Sample(image, target);
    }

    /** The label of sample {@code index}, without building tensors. */
    public int label(int index) {
        if (index < 0 || index >= n) throw Dataset.outOfRange(index, n);
        return labels[labelOffset + index] & 0xff;
    }

    /** All labels as an INT64 tensor {@code [N]} (torchvision's {@code targets}). */
    public Tensor targets() {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) t[i] = labels[labelOffset + i] & 0xff;
        return Torch.tensor(t, n);
    }

    /** All images as one UINT8 tensor {@code [N, H, W]} (torchvision's {@code data}). */
    public Tensor data() {
        byte[] copy = new byte[n * h * w];
        System.arraycopy(pixels, pixelOffset, copy, 0, copy.length);
        return Torch.tensor(copy, n, h, w);
    }

    /** The sum of all pixel values (a checksum against the raw file). */
    public long pixelSum() {
        long s = 0;
        for (int i = pixelOffset, end = pixelOffset + n * h * w; i < end; i++) s += pixels[i] & 0xff;
        return s;
    }

    @Override
    public String toString() {
        return "Dataset " + kind.displayName + "\n    Number of datapoints: " + n + "\n    Split: " + (train ? "Train" : "Test")
                + "\n    Files: " + imagesFile + ", " + labelsFile + (transform == null ? "" : "\n    Transform: " + transform);
    }
}
