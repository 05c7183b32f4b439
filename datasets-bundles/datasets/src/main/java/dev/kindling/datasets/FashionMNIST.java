package dev.kindling.datasets;

import dev.kindling.api.Tensor;
import dev.kindling.data.transforms.Transform;
import dev.kindling.datasets.idx.IdxImageDataset;

import java.nio.file.Path;

/**
 * {@code torchvision.datasets.FashionMNIST(root, train, transform)}: Zalando's 28x28 clothing images from the IDX
 * files in {@code root} (or {@code root/FashionMNIST/raw}), gzipped or raw. Without a root it reads
 * {@link #DEFAULT_ROOT}, where Debian's {@code dataset-fashion-mnist} package installs the files.
 */
public class FashionMNIST extends IdxImageDataset {
    /** {@code /usr/share/datasets/fashion-mnist} ({@code apt-get install dataset-fashion-mnist}). */
    public static final Path DEFAULT_ROOT = Kind.FASHION_MNIST.defaultRoot();

    /** From {@link #DEFAULT_ROOT}. */
    public FashionMNIST(boolean train) { this((Path) null, train, null, null); }

    /** From {@link #DEFAULT_ROOT}. */
    public FashionMNIST(boolean train, Transform<Tensor, Tensor> transform) { this((Path) null, train, transform, null); }

    public FashionMNIST(Path root, boolean train) { this(root, train, null, null); }

    public FashionMNIST(Path root, boolean train, Transform<Tensor, Tensor> transform) { this(root, train, transform, null); }

    /** @param root the folder with the IDX files, or null for {@link #DEFAULT_ROOT} */
    public FashionMNIST(Path root, boolean train, Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) {
        super(Kind.FASHION_MNIST, root, train, transform, targetTransform);
    }

    public FashionMNIST(String root, boolean train) { this(Path.of(root), train); }

    public FashionMNIST(String root, boolean train, Transform<Tensor, Tensor> transform) { this(Path.of(root), train, transform); }

    /** Whether the data is installed at {@link #DEFAULT_ROOT}. */
    public static boolean isInstalled() {
        return java.nio.file.Files.isRegularFile(DEFAULT_ROOT.resolve("train-images-idx3-ubyte.gz"))
                || java.nio.file.Files.isRegularFile(DEFAULT_ROOT.resolve("train-images-idx3-ubyte"));
    }
}
