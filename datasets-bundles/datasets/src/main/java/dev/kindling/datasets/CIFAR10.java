package dev.kindling.datasets;

import dev.kindling.api.Tensor;
import dev.kindling.data.transforms.Transform;
import dev.kindling.datasets.cifar.Cifar10Dataset;

import java.nio.file.Path;

/**
 * {@code torchvision.datasets.CIFAR10(root, train, transform)}, from the binary version: {@code root} is the folder
 * with {@code data_batch_1.bin} ... {@code test_batch.bin}, a folder holding {@code cifar-10-batches-bin/} or
 * {@code cifar-10-binary.tar.gz}, or the archive itself (read directly). Samples are a UINT8 image {@code [32, 32, 3]}
 * (HWC) and a 0-dim INT64 label, unless transformed.
 */
public class CIFAR10 extends Cifar10Dataset {
    public CIFAR10(Path root, boolean train) { this(root, train, null, null); }

    public CIFAR10(Path root, boolean train, Transform<Tensor, Tensor> transform) { this(root, train, transform, null); }

    public CIFAR10(Path root, boolean train, Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) {
        super(root, train, transform, targetTransform);
    }

    public CIFAR10(String root, boolean train) { this(Path.of(root), train); }

    public CIFAR10(String root, boolean train, Transform<Tensor, Tensor> transform) { this(Path.of(root), train, transform); }
}
