/**
 * The dataset classes of the API contract, as torchvision's {@code torchvision.datasets}: {@link dev.kindling.datasets.MNIST},
 * {@link dev.kindling.datasets.FashionMNIST}, {@link dev.kindling.datasets.CIFAR10}, {@link dev.kindling.datasets.Digits},
 * {@link dev.kindling.datasets.Iris} and {@link dev.kindling.datasets.CsvDataset}. Each is a
 * {@code Dataset<Sample>}; without a transform an image is a UINT8 HWC tensor and a label a 0-dim INT64 tensor.
 * Nothing is ever downloaded: a missing file is a {@link dev.kindling.data.DatasetNotFoundException} that says where
 * the reader looked and how to get the data.
 *
 * <p>The readers live in the dataset family bundles (dev.kindling.datasets.idx, .cifar, .csv, .embedded), which also
 * register the kernel's dataset providers ({@code mnist}, {@code fashion-mnist}, {@code cifar10}, {@code csv},
 * {@code digits}, {@code iris}); this package only gives them the contract's names.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.datasets;
