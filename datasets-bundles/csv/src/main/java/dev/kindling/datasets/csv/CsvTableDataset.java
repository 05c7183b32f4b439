package dev.kindling.datasets.csv;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.Dataset;
import dev.kindling.data.DatasetFormatException;
import dev.kindling.data.DatasetNotFoundException;
import dev.kindling.data.Sample;
import dev.kindling.data.spi.DataFiles;
import dev.kindling.data.transforms.Transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A CSV file as a dataset: each row is a sample whose input is a FLOAT32 vector of the feature columns and whose
 * target is the label column. The file may be gzipped. Fields follow RFC 4180 (quotes, doubled quotes, delimiters and
 * line breaks inside quotes); blank lines are skipped. Any malformed row is a {@link DatasetFormatException} naming the
 * file and the line.
 *
 * <p>Labels ({@link LabelType}): {@code AUTO} makes integer labels INT64 class indices, other numbers a FLOAT32
 * regression target, and text class names, numbered in sorted order ({@link #classes()}).
 */
public class CsvTableDataset implements Dataset<Sample> {
    /** How the label column is read. */
    public enum LabelType {
        /** Integers: class indices; other numbers: FLOAT32; text: class names. */
        AUTO,
        /** Non-negative integers, INT64 0-dim targets. */
        CLASS_INDEX,
        /** Text class names, numbered in sorted order, INT64 targets. */
        CLASS_NAME,
        /** Numbers, FLOAT32 0-dim targets (regression). */
        FLOAT
    }

    /** Reading options; {@code header(true)}, label = last column, features = every other column by default. */
    public static final class Options {
        private final Path path;
        private boolean header = true;
        private char delimiter = ',';
        private List<String> featureNames;
        private int[] featureColumns;
        private String labelName;
        private Integer labelColumn;
        private boolean noLabel;
        private LabelType labelType = LabelType.AUTO;
        private Transform<Tensor, Tensor> transform;
        private Transform<Tensor, Tensor> targetTransform;

        public Options(Path path) {
            if (path == null) throw new IllegalArgumentException("CsvDataset needs a path");
            this.path = path;
        }

        /** Whether the first row names the columns (default true). */
        public Options header(boolean header) { this.header = header; return this; }

        public Options delimiter(char delimiter) {
            if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') throw new IllegalArgumentException("CsvDataset: invalid delimiter " + delimiter);
            this.delimiter = delimiter;
            return this;
        }

        /** Feature columns by header name. */
        public Options features(String... names) { this.featureNames = List.of(names); this.featureColumns = null; return this; }

        /** Feature columns by 0-based index. */
        public Options features(int... columns) { this.featureColumns = columns.clone(); this.featureNames = null; return this; }

        /** The label column by header name. */
        public Options label(String name) { this.labelName = name; this.labelColumn = null; this.noLabel = false; return this; }

        /** The label column by 0-based index (negative counts from the end: -1 is the last column). */
        public Options label(int column) { this.labelColumn = column; this.labelName = null; this.noLabel = false; return this; }

        /** No label column: every column not chosen as a feature is ignored and targets are null. */
        public Options noLabel() { this.noLabel = true; this.labelName = null; this.labelColumn = null; return this; }

        public Options labelType(LabelType type) { this.labelType = type; return this; }

        public Options transform(Transform<Tensor, Tensor> transform) { this.transform = transform; return this; }

        public Options targetTransform(Transform<Tensor, Tensor> targetTransform) { this.targetTransform = targetTransform; return this; }

        public Path path() { return path; }
    }

    private final Path path;
    private final List<String> columns;
    private final List<String> featureNames;
    private final int d;
    private final int n;
    private final float[] features;
    private final long[] classTargets;
    private final float[] floatTargets;
    private final List<String> classes;
    private final Transform<Tensor, Tensor> transform;
    private final Transform<Tensor, Tensor> targetTransform;

    public CsvTableDataset(Options o) {
        this.path = o.path;
        this.transform = o.transform;
        this.targetTransform = o.targetTransform;
        if (!Files.isRegularFile(path)) {
            throw new DatasetNotFoundException("CSV file " + path.toAbsolutePath() + " not found" + (Files.isDirectory(path) ? " (it is a directory)" : "")
                    + ". Give the path of an existing .csv (or .csv.gz) file. Kindling never downloads data.", List.of(path));
        }
        List<Row> rows = parse(path, o.delimiter);
        int first = 0;
        List<String> header;
        if (o.header) {
            if (rows.isEmpty()) throw DatasetFormatException.atLine(path, 1, "the file is empty, but a header row was expected");
            header = new ArrayList<>();
            for (String s : rows.get(0).fields) header.add(s.trim());
            first = 1;
        } else {
            header = null;
        }
        int width = rows.isEmpty() ? (header == null ? 0 : header.size()) : rows.get(0).fields.size();
        for (Row r : rows) {
            if (r.fields.size() != width) {
                throw DatasetFormatException.atLine(path, r.line, "expected " + width + " columns"
                        + (o.header ? " (as the header)" : " (as the first row)") + ", found " + r.fields.size());
            }
        }
        if (header == null) {
            header = new ArrayList<>();
            for (int i = 0; i < width; i++) header.add("column " + i);
        }
        this.columns = List.copyOf(header);
        int label;
        if (o.noLabel) label = -1;
        else if (o.labelName != null) label = column(o.labelName, o.header);
        else if (o.labelColumn != null) label = index(o.labelColumn, width, "label");
        else label = width - 1;
        int[] feats;
        if (o.featureNames != null) {
            feats = new int[o.featureNames.size()];
            for (int i = 0; i < feats.length; i++) feats[i] = column(o.featureNames.get(i), o.header);
        } else if (o.featureColumns != null) {
            feats = new int[o.featureColumns.length];
            for (int i = 0; i < feats.length; i++) feats[i] = index(o.featureColumns[i], width, "feature");
        } else {
            feats = new int[label >= 0 ? width - 1 : width];
            for (int c = 0, k = 0; c < width; c++) if (c != label) feats[k++] = c;
        }
        if (feats.length == 0) throw new IllegalArgumentException("CsvDataset " + path + ": no feature columns (the file has " + width + " columns)");
        for (int f : feats) {
            if (f == label) throw new IllegalArgumentException("CsvDataset " + path + ": column '" + columns.get(f) + "' is both a feature and the label");
        }
        List<String> fnames = new ArrayList<>();
        for (int f : feats) fnames.add(columns.get(f));
        this.featureNames = List.copyOf(fnames);
        this.d = feats.length;
        this.n = rows.size() - first;
        this.features = new float[n * d];
        for (int i = 0; i < n; i++) {
            Row r = rows.get(first + i);
            for (int k = 0; k < d; k++) features[i * d + k] = (float) number(r, feats[k]);
        }
        if (label < 0) {
            classTargets = null;
            floatTargets = null;
            classes = List.of();
            return;
        }
        LabelType type = o.labelType;
        if (type == LabelType.AUTO) type = detect(rows, first, label);
        switch (type) {
            case CLASS_INDEX: {
                classTargets = new long[n];
                floatTargets = null;
                classes = List.of();
                for (int i = 0; i < n; i++) {
                    Row r = rows.get(first + i);
                    String s = r.fields.get(label).trim();
                    long v;
                    try {
                        v = Long.parseLong(s);
                    } catch (NumberFormatException e) {
                        throw DatasetFormatException.atLine(path, r.line, "column " + describe(label) + ": '" + s + "' is not a class index (an integer)");
                    }
                    if (v < 0) throw DatasetFormatException.atLine(path, r.line, "column " + describe(label) + ": class index " + v + " is negative");
                    classTargets[i] = v;
                }
                break;
            }
            case CLASS_NAME: {
                TreeSet<String> names = new TreeSet<>();
                for (int i = first; i < rows.size(); i++) names.add(rows.get(i).fields.get(label).trim());
                classes = List.copyOf(names);
                Map<String, Integer> idx = new HashMap<>();
                for (int i = 0; i < classes.size(); i++) idx.put(classes.get(i), i);
                classTargets = new long[n];
                floatTargets = null;
                for (int i = 0; i < n; i++) {
                    Row r = rows.get(first + i);
                    String s = r.fields.get(label).trim();
                    if (s.isEmpty()) throw DatasetFormatException.atLine(path, r.line, "column " + describe(label) + ": empty label");
                    classTargets[i] = idx.get(s);
                }
                break;
            }
            default: {
                floatTargets = new float[n];
                classTargets = null;
                classes = List.of();
                for (int i = 0; i < n; i++) floatTargets[i] = (float) number(rows.get(first + i), label);
            }
        }
    }

    private LabelType detect(List<Row> rows, int first, int label) {
        boolean allInt = true, allNum = true;
        for (int i = first; i < rows.size(); i++) {
            String s = rows.get(i).fields.get(label).trim();
            if (allInt) {
                try {
                    Long.parseLong(s);
                } catch (NumberFormatException e) {
                    allInt = false;
                }
            }
            if (!allInt && parseNumber(s) == null) allNum = false;
        }
        return allInt ? LabelType.CLASS_INDEX : allNum ? LabelType.FLOAT : LabelType.CLASS_NAME;
    }

    private int column(String name, boolean header) {
        if (!header) throw new IllegalArgumentException("CsvDataset " + path + ": column '" + name + "' is named, but the file has no header; use column indices");
        int found = -1;
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).equals(name)) {
                if (found >= 0) throw new IllegalArgumentException("CsvDataset " + path + ": column name '" + name + "' appears more than once in the header");
                found = i;
            }
        }
        if (found < 0) throw new IllegalArgumentException("CsvDataset " + path + ": no column '" + name + "'; the header has " + columns);
        return found;
    }

    private int index(int column, int width, String what) {
        int c = column < 0 ? column + width : column;
        if (c < 0 || c >= width) throw new IllegalArgumentException("CsvDataset " + path + ": " + what + " column " + column + " is out of range for " + width + " columns");
        return c;
    }

    private String describe(int column) { return (column + 1) + " ('" + columns.get(column) + "')"; }

    private double number(Row r, int column) {
        String s = r.fields.get(column).trim();
        if (s.isEmpty()) throw DatasetFormatException.atLine(path, r.line, "column " + describe(column) + ": empty value");
        Double v = parseNumber(s);
        if (v == null) throw DatasetFormatException.atLine(path, r.line, "column " + describe(column) + ": '" + s + "' is not a number");
        return v;
    }

    private static Double parseNumber(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        switch (t) {
            case "nan": return Double.NaN;
            case "inf": case "+inf": case "infinity": case "+infinity": return Double.POSITIVE_INFINITY;
            case "-inf": case "-infinity": return Double.NEGATIVE_INFINITY;
            default:
        }
        if (t.isEmpty() || !(Character.isDigit(t.charAt(t.length() - 1)) || t.charAt(t.length() - 1) == '.')) return null;
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A record and the line it starts on (1-based). */
    static final class Row {
        final int line;
        final List<String> fields;

        Row(int line, List<String> fields) {
            this.line = line;
            this.fields = fields;
        }
    }

    static List<Row> parse(Path path, char delim) {
        String text;
        try (InputStream in = DataFiles.open(path)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw DatasetFormatException.of(path, "corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
        List<Row> rows = new ArrayList<>();
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        int line = 1;
        int len = text.length();
        while (i < len) {
            int start = line;
            List<String> fields = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            boolean quoted = false, wasQuoted = false, blank = true;
            for (; i < len; i++) {
                char ch = text.charAt(i);
                if (quoted) {
                    if (ch == '"') {
                        if (i + 1 < len && text.charAt(i + 1) == '"') {
                            f.append('"');
                            i++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        if (ch == '\n') line++;
                        f.append(ch);
                    }
                } else if (ch == '"') {
                    if (f.toString().isBlank() && !wasQuoted) {
                        quoted = true;
                        wasQuoted = true;
                        f.setLength(0);
                        blank = false;
                    } else {
                        throw DatasetFormatException.atLine(path, line, "a quote inside an unquoted field (field " + (fields.size() + 1) + ")");
                    }
                } else if (ch == delim) {
                    fields.add(f.toString());
                    f.setLength(0);
                    wasQuoted = false;
                    blank = false;
                } else if (ch == '\n' || ch == '\r') {
                    break;
                } else {
                    if (wasQuoted && !Character.isWhitespace(ch)) {
                        throw DatasetFormatException.atLine(path, line, "text after a closing quote (field " + (fields.size() + 1) + ")");
                    }
                    if (!wasQuoted) f.append(ch);
                    if (!Character.isWhitespace(ch)) blank = false;
                }
            }
            if (quoted) throw DatasetFormatException.atLine(path, start, "a quoted field is not closed before the end of the file");
            fields.add(f.toString());
            if (i < len && text.charAt(i) == '\r' && i + 1 < len && text.charAt(i + 1) == '\n') i++;
            i++;
            if (!blank) rows.add(new Row(start, fields));
            line++;
        }
        return rows;
    }

    public Path path() { return path; }

    /** All column names (from the header, or "column i"). */
    public List<String> columns() { return columns; }

    public List<String> featureNames() { return featureNames; }

    public int numFeatures() { return d; }

    /** Class names for text labels (index order), else empty. */
    public List<String> classes() { return classes; }

    @Override
    public int size() { return n; }

    @Override
    public Sample get(int index) {
        if (index < 0 || index >= n) throw Dataset.outOfRange(index, n);
        Tensor x = Torch.tensor(Arrays.copyOfRange(features, index * d, index * d + d), d);
        if (transform != null) x = transform.apply(x);
        Tensor y = classTargets != null ? Torch.tensor(classTargets[index]) : floatTargets != null ? Torch.tensor((double) floatTargets[index]) : null;
        if (y != null && targetTransform != null) y = targetTransform.apply(y);
        return new Sample(x, y);
    }

    /** All features, FLOAT32 {@code [N, D]}. */
    public Tensor data() { return Torch.tensor(features.clone(), n, d); }

    /** All targets ({@code [N]}, INT64 or FLOAT32), or null without a label column. */
    public Tensor targets() {
        if (classTargets != null) return Torch.tensor(classTargets.clone(), n);
        if (floatTargets != null) return Torch.tensor(floatTargets.clone(), n);
        return null;
    }

    @Override
    public String toString() {
        return "Dataset CSV\n    Number of datapoints: " + n + "\n    File: " + path + "\n    Features: " + featureNames
                + (transform == null ? "" : "\n    Transform: " + transform);
    }
}
