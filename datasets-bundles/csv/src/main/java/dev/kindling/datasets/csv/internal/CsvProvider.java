package dev.kindling.datasets.csv.internal;

import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.data.spi.AbstractDatasetProvider;
import dev.kindling.datasets.csv.CsvTableDataset;
import dev.kindling.kernel.spi.DatasetProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import org.osgi.service.component.annotations.Component;

import java.util.List;
import java.util.Locale;

/** The {@code csv} dataset provider. */
@Component(service = DatasetProvider.class)
public final class CsvProvider extends AbstractDatasetProvider {
    public CsvProvider() {
        super("csv", "a numeric CSV file: FLOAT32 feature vectors and a class-index, class-name or numeric label",
                ParameterSpec.required("path", "path", "the .csv (or .csv.gz) file"),
                ParameterSpec.optional("header", "boolean", true, "whether the first row names the columns"),
                ParameterSpec.optional("features", "list", null, "feature columns, by name or 0-based index (default: all but the label)"),
                ParameterSpec.optional("label", "string", null, "the label column, by name or 0-based index (default: the last column; 'none' for no label)"),
                ParameterSpec.optional("delimiter", "string", ",", "the field separator (one character; 'tab' for a tab)"),
                ParameterSpec.optional("labelType", "string", "auto", "auto, class_index, class_name or float"),
                TRANSFORM, TARGET_TRANSFORM);
    }

    @Override
    protected Dataset<Sample> create(Params p) {
        CsvTableDataset.Options o = new CsvTableDataset.Options(p.path("path")).header(p.bool("header"));
        String delim = p.string("delimiter");
        if (delim.equalsIgnoreCase("tab") || delim.equals("\\t")) delim = "\t";
        if (delim.length() != 1) throw new IllegalArgumentException("dataset 'csv': parameter 'delimiter' must be one character, got '" + delim + "'");
        o.delimiter(delim.charAt(0));
        List<String> features = p.list("features");
        if (features != null) {
            if (features.stream().allMatch(CsvProvider::isInt)) o.features(features.stream().mapToInt(Integer::parseInt).toArray());
            else o.features(features.toArray(new String[0]));
        }
        String label = p.string("label");
        if (label != null) {
            if (label.equalsIgnoreCase("none")) o.noLabel();
            else if (isInt(label)) o.label(Integer.parseInt(label.trim()));
            else o.label(label);
        }
        try {
            o.labelType(CsvTableDataset.LabelType.valueOf(p.string("labelType").trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dataset 'csv': parameter 'labelType' must be auto, class_index, class_name or float, got '"
                    + p.string("labelType") + "'");
        }
        o.transform(p.transform("transform")).targetTransform(p.transform("targetTransform"));
        return new CsvTableDataset(o);
    }

    private static boolean isInt(String s) {
        try {
            Integer.parseInt(s.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
