/**
 * The data pipeline, as {@code torch.utils.data}: {@link dev.kindling.data.Dataset}s and
 * {@link dev.kindling.data.IterableDataset}s, {@link dev.kindling.data.Subset}, {@link dev.kindling.data.ConcatDataset},
 * {@link dev.kindling.data.TensorDataset}, {@link dev.kindling.data.Datasets#randomSplit}, samplers, and the
 * {@link dev.kindling.data.DataLoader}, which batches samples with a {@link dev.kindling.data.Collate} function,
 * shuffles reproducibly from a seed and prefetches batches on background workers.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package dev.kindling.data;
