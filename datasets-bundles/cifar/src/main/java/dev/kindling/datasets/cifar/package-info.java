/**
 * CIFAR-10 from its binary distribution: {@link dev.kindling.datasets.cifar.Cifar10Dataset} reads the batch files
 * ({@code data_batch_1.bin} ... {@code test_batch.bin}) or the {@code cifar-10-binary.tar.gz} archive directly. The
 * bundle registers the {@code cifar10} dataset provider.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.datasets.cifar;
