package dev.kindling.datasets;

import dev.kindling.api.Tensor;
import dev.kindling.data.transforms.Transform;
import dev.kindling.datasets.idx.IdxImageDataset;

import java.nio.file.Path;

/**
 * {@code torchvision.datasets.MNIST(root, train, transform)}: 28x28 handwritten digits from the IDX files in
 * {@code root} (or {@code root/MNIST/raw}), gzipped or raw; 60,000 training and 10,000 test images. Samples are a
 * UINT8 image {@code [28, 28, 1]} and a 0-dim INT64 label, unless transformed.
 */
public class MNIST extends IdxImageDataset {
    public MNIST(Path root, boolean train) { this(root, train, null, null); }

    public MNIST(Path root, boolean train, Transform<Tensor, Tensor> transform) { this(root, train, transform, null); }

    public MNIST(Path root, boolean train, Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) {
        super(Kind.MNIST, root, train, transform, targetTransform);
    }

    public MNIST(String root, boolean train) { this(Path.of(root), train); }

    public MNIST(String root, boolean train, Transform<Tensor, Tensor> transform) { this(Path.of(root), train, transform); }
}
