package dev.kindling.train;

import dev.kindling.api.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulates a confusion matrix (and top-k hits) over batches of class scores and integer targets, then reports
 * accuracy, top-k accuracy, and precision / recall / F1 per class and macro-averaged (as scikit-learn's, with 0 where a
 * class has no predictions or no samples).
 */
public final class ClassificationMetrics {
    private final int numClasses;
    private final int topK;
    private final long[][] confusion;
    private long count;
    private long topKHits;

    public ClassificationMetrics(int numClasses, int topK) {
        if (numClasses < 1) throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        this.numClasses = numClasses;
        this.topK = Math.max(1, Math.min(topK, numClasses));
        this.confusion = new long[numClasses][numClasses];
    }

    /** @param scores [batch, classes] logits or probabilities; @param targets [batch] class indices */
    public void update(Tensor scores, Tensor targets) {
        if (scores.dim() != 2 || scores.size(1) != numClasses) {
            throw new IllegalArgumentException("expected scores of shape [batch, " + numClasses + "], got " + java.util.Arrays.toString(scores.shape()));
        }
        float[] s = scores.toFloatArray();
        long[] t = targets.toLongArray();
        if (t.length != scores.size(0)) {
            throw new IllegalArgumentException("got " + t.length + " targets for " + scores.size(0) + " score rows");
        }
        int c = numClasses;
        for (int i = 0; i < t.length; i++) {
            int target = (int) t[i];
            if (target < 0 || target >= c) throw new IllegalArgumentException("target " + target + " is not a class in [0, " + c + ")");
            int best = 0;
            for (int j = 1; j < c; j++) if (s[i * c + j] > s[i * c + best]) best = j;
            confusion[target][best]++;
            int higher = 0;
            for (int j = 0; j < c; j++) if (s[i * c + j] > s[i * c + target]) higher++;
            if (higher < topK) topKHits++;
            count++;
        }
    }

    public long count() { return count; }

    public double accuracy() {
        long right = 0;
        for (int i = 0; i < numClasses; i++) right += confusion[i][i];
        return count == 0 ? 0 : (double) right / count;
    }

    public int topK() { return topK; }

    public double topKAccuracy() { return count == 0 ? 0 : (double) topKHits / count; }

    public double[] precision() {
        double[] p = new double[numClasses];
        for (int j = 0; j < numClasses; j++) {
            long predicted = 0;
            for (int i = 0; i < numClasses; i++) predicted += confusion[i][j];
            p[j] = predicted == 0 ? 0 : (double) confusion[j][j] / predicted;
        }
        return p;
    }

    public double[] recall() {
        double[] r = new double[numClasses];
        for (int i = 0; i < numClasses; i++) {
            long actual = 0;
            for (int j = 0; j < numClasses; j++) actual += confusion[i][j];
            r[i] = actual == 0 ? 0 : (double) confusion[i][i] / actual;
        }
        return r;
    }

    public double[] f1() {
        double[] p = precision();
        double[] r = recall();
        double[] f = new double[numClasses];
        for (int i = 0; i < numClasses; i++) f[i] = p[i] + r[i] == 0 ? 0 : 2 * p[i] * r[i] / (p[i] + r[i]);
        return f;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? 0 : s / v.length;
    }

    public double macroPrecision() { return mean(precision()); }

    public double macroRecall() { return mean(recall()); }

    public double macroF1() { return mean(f1()); }

    /** Rows: true class; columns: predicted class. */
    public long[][] confusionMatrix() {
        long[][] c = new long[numClasses][];
        for (int i = 0; i < numClasses; i++) c[i] = confusion[i].clone();
        return c;
    }

    /** accuracy, top-k, macro precision / recall / F1. */
    public Map<String, Double> summary() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy());
        if (topK > 1) m.put("top" + topK + "_accuracy", topKAccuracy());
        m.put("precision_macro", macroPrecision());
        m.put("recall_macro", macroRecall());
        m.put("f1_macro", macroF1());
        return m;
    }

    /** The confusion matrix as an aligned text table, with per-class precision, recall and F1. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        int w = Math.max(5, Long.toString(count).length() + 1);
        sb.append(String.format("%-8s", "true\\pred"));
        for (int j = 0; j < numClasses; j++) sb.append(String.format("%" + w + "d", j));
        sb.append("   precision  recall     f1\n");
        double[] p = precision();
        double[] r = recall();
        double[] f = f1();
        for (int i = 0; i < numClasses; i++) {
            sb.append(String.format("%-8d", i));
            for (int j = 0; j < numClasses; j++) sb.append(String.format("%" + w + "d", confusion[i][j]));
            sb.append(String.format("   %9.4f  %6.4f  %6.4f%n", p[i], r[i], f[i]));
        }
        sb.append(String.format("accuracy %.4f, macro precision %.4f, recall %.4f, F1 %.4f (%d samples)%n",
                accuracy(), macroPrecision(), macroRecall(), macroF1(), count));
        return sb.toString();
    }

}
