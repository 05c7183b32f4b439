/**
 * Small real data sets shipped inside this bundle, so the platform has data with no set-up at all:
 * {@link dev.kindling.datasets.embedded.DigitsDataset} (UCI 8x8 handwritten digits) and
 * {@link dev.kindling.datasets.embedded.IrisDataset} (Fisher's Iris), both CC BY 4.0 (attribution in
 * {@code dev/kindling/datasets/embedded/NOTICE.txt}, {@link dev.kindling.datasets.embedded.EmbeddedData#notice()}).
 * The bundle registers the {@code digits} and {@code iris} dataset providers.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.datasets.embedded;
