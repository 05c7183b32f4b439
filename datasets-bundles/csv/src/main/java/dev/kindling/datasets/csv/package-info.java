/**
 * Numeric CSV files as datasets: {@link dev.kindling.datasets.csv.CsvTableDataset}, configured with
 * {@link dev.kindling.datasets.csv.CsvTableDataset.Options}. The bundle registers the {@code csv} dataset provider.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.datasets.csv;
