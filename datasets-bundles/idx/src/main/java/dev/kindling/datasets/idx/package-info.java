/**
 * MNIST and Fashion-MNIST: the IDX file reader ({@link dev.kindling.datasets.idx.IdxFile}) and the image datasets
 * ({@link dev.kindling.datasets.idx.IdxImageDataset}). The bundle registers the {@code mnist} and
 * {@code fashion-mnist} dataset providers; {@code dev.kindling.datasets.MNIST} and {@code FashionMNIST} build on it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.datasets.idx;
