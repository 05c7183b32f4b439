package dev.kindling.datasets.embedded;

import dev.kindling.api.Tensor;
import dev.kindling.data.transforms.Transform;

import java.util.ArrayList;
import java.util.List;

/**
 * The UCI "Optical Recognition of Handwritten Digits" 8x8 set (1,797 samples, as scikit-learn's {@code load_digits}),
 * shipped inside the bundle: the input is a FLOAT32 vector of the 64 pixel values (0..16, row by row; view it as
 * {@code [1, 8, 8]} for a convolution), the target a 0-dim INT64 digit 0..9. Source: UCI Machine Learning Repository,
 * Alpaydin &amp; Kaynak (1998), CC BY 4.0 (see {@link EmbeddedData#notice()}).
 */
public class DigitsDataset extends EmbeddedData {
    public static final int SAMPLES = 1797;
    private static final List<String> CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    public DigitsDataset() { this(null, null); }

    public DigitsDataset(Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) {
        this(load(), transform, targetTransform);
    }

    private DigitsDataset(Object[] parsed, Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) {
        super((float[]) parsed[0], (long[]) parsed[1], 64, transform, targetTransform);
    }

    private static Object[] load() {
        List<String[]> rows = rows("digits.csv.gz", true);
        float[] x = new float[rows.size() * 64];
        long[] y = new long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            if (r.length != 65) throw new IllegalStateException("digits.csv.gz row " + (i + 1) + " has " + r.length + " fields, expected 65");
            for (int k = 0; k < 64; k++) x[i * 64 + k] = Float.parseFloat(r[k]);
            y[i] = Long.parseLong(r[64].trim());
        }
        return new Object[] {x, y};
    }

    @Override
    public List<String> classes() { return CLASSES; }

    /** {@code pixel_0_0} ... {@code pixel_7_7}, as scikit-learn names them. */
    @Override
    public List<String> featureNames() {
        List<String> out = new ArrayList<>(64);
        for (int r = 0; r < 8; r++) for (int c = 0; c < 8; c++) out.add("pixel_" + r + "_" + c);
        return out;
    }

    @Override
    public String toString() { return "Dataset Digits (UCI 8x8, embedded)\n    Number of datapoints: " + size(); }
}
