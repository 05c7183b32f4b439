package dev.kindling.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@link Trainer#evaluate} measured: the mean loss and, for classification, the metrics. */
public record EvalResult(double loss, long samples, ClassificationMetrics classification) {
    /** loss, and accuracy / top-k / macro precision, recall, F1 where the task is classification. */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        if (classification != null) m.putAll(classification.summary());
        return m;
    }

    public double accuracy() { return classification == null ? Double.NaN : classification.accuracy(); }
}
