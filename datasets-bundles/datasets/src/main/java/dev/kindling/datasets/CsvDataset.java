package dev.kindling.datasets;

import dev.kindling.api.Tensor;
import dev.kindling.data.transforms.Transform;
import dev.kindling.datasets.csv.CsvTableDataset;

import java.nio.file.Path;

/**
 * A numeric CSV file as a dataset: FLOAT32 feature vectors and a label (integer class indices as INT64, text class
 * names numbered in sorted order, other numbers as FLOAT32). With {@code header} the first row names the columns.
 * More options (delimiter, label type, no label) through {@link CsvTableDataset.Options}:
 *
 * <pre>{@code
 * new CsvDataset(path)                                          // header; label = last column; features = the others
 * new CsvDataset(path, "species")                               // label by name
 * new CsvDataset(path, new String[] {"x1", "x2"}, "y")          // chosen feature columns
 * new CsvDataset(path, false, new int[] {0, 1, 2}, 3)           // no header: columns by index
 * new CsvDataset(new CsvTableDataset.Options(path).delimiter(';').labelType(CsvTableDataset.LabelType.FLOAT))
 * }</pre>
 */
public class CsvDataset extends CsvTableDataset {
    public CsvDataset(Path path) { super(new Options(path)); }

    public CsvDataset(Path path, Transform<Tensor, Tensor> transform) { super(new Options(path).transform(transform)); }

    /** With a header; the label column by name, every other column a feature. */
    public CsvDataset(Path path, String label) { super(new Options(path).label(label)); }

    /** With a header; feature and label columns by name. */
    public CsvDataset(Path path, String[] features, String label) { super(new Options(path).features(features).label(label)); }

    public CsvDataset(Path path, String[] features, String label, Transform<Tensor, Tensor> transform) {
        super(new Options(path).features(features).label(label).transform(transform));
    }

    /** Feature and label columns by 0-based index; {@code header} says whether to skip a first row of names. */
    public CsvDataset(Path path, boolean header, int[] features, int label) {
        super(new Options(path).header(header).features(features).label(label));
    }

    public CsvDataset(Path path, boolean header, int[] features, int label, Transform<Tensor, Tensor> transform) {
        super(new Options(path).header(header).features(features).label(label).transform(transform));
    }

    public CsvDataset(Options options) { super(options); }

    public CsvDataset(String path) { this(Path.of(path)); }
}
