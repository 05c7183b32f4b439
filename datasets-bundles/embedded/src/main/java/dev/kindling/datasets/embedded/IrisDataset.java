package dev.kindling.datasets.embedded;

import dev.kindling.api.Tensor;
import dev.kindling.data.transforms.Transform;

import java.util.Arrays;
import java.util.List;

/**
 * Fisher's Iris (150 samples, as scikit-learn's {@code load_iris}), shipped inside the bundle: the input is a FLOAT32
 * vector of the 4 measurements in cm (sepal length, sepal width, petal length, petal width), the target a 0-dim INT64
 * class index (setosa, versicolor, virginica). Source: UCI Machine Learning Repository, Fisher (1936), CC BY 4.0 (see
 * {@link EmbeddedData#notice()}).
 */
public class IrisDataset extends EmbeddedData {
    public static final int SAMPLES = 150;
    private static final List<String> FEATURES = List.of("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)");
    private final List<String> classes;

    public IrisDataset() { this(null, null); }

    public IrisDataset(Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) {
        this(load(), transform, targetTransform);
    }

    @SuppressWarnings("unchecked")
    private IrisDataset(Object[] parsed, Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) {
        super((float[]) parsed[0], (long[]) parsed[1], 4, transform, targetTransform);
        this.classes = (List<String>) parsed[2];
    }

    private static Object[] load() {
        List<String[]> rows = rows("iris.csv", false);
        String[] header = rows.get(0);
        int n = Integer.parseInt(header[0].trim()), d = Integer.parseInt(header[1].trim());
        if (d != 4 || rows.size() - 1 != n) throw new IllegalStateException("iris.csv: header says " + n + "x" + d + " but has " + (rows.size() - 1) + " rows");
        List<String> classes = List.copyOf(Arrays.asList(header).subList(2, header.length));
        float[] x = new float[n * 4];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            String[] r = rows.get(i + 1);
            for (int k = 0; k < 4; k++) x[i * 4 + k] = Float.parseFloat(r[k]);
            y[i] = Long.parseLong(r[4].trim());
        }
        return new Object[] {x, y, classes};
    }

    @Override
    public List<String> classes() { return classes; }

    @Override
    public List<String> featureNames() { return FEATURES; }

    @Override
    public String toString() { return "Dataset Iris (embedded)\n    Number of datapoints: " + size(); }
}
