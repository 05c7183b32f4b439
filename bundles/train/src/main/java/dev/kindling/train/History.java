package dev.kindling.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-epoch metrics of a fit, e.g. {@code train_loss}, {@code train_accuracy}, {@code val_loss}, {@code lr}. */
public final class History {
    private final List<Map<String, Double>> epochs = new ArrayList<>();

    void add(Map<String, Double> metrics) { epochs.add(Collections.unmodifiableMap(new LinkedHashMap<>(metrics))); }

    public List<Map<String, Double>> epochs() { return Collections.unmodifiableList(epochs); }

    public Map<String, Double> last() {
        if (epochs.isEmpty()) throw new IllegalStateException("no epoch has finished");
        return epochs.get(epochs.size() - 1);
    }

    public int size() { return epochs.size(); }

    @Override
    public String toString() { return epochs.toString(); }
}
