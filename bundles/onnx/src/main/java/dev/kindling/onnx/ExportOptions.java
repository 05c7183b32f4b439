package dev.kindling.onnx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How {@link Onnx#export} writes a model: the opset (17 by default: every ONNX Runtime since 1.12 loads it; 18, 20
 * and 21 on request), the names of the graph's inputs and outputs, and which of their axes stay dynamic, as
 * {@code torch.onnx.export}'s {@code dynamic_axes}: {@code Map.of("x", Map.of(0, "batch"))}.
 */
public final class ExportOptions {
    /** The opsets the exporter writes. */
    public static final Set<Integer> SUPPORTED_OPSETS = Set.of(17, 18, 20, 21);

    private final int opset;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final Map<String, Map<Integer, String>> dynamicAxes;

    private ExportOptions(Builder b) {
        this.opset = b.opset;
        this.inputNames = b.inputNames;
        this.outputNames = b.outputNames;
        this.dynamicAxes = b.dynamicAxes;
    }

    /** Opset 17, inputs named {@code input}, {@code input_1}, ..., outputs {@code output}, ..., no dynamic axes. */
    public static ExportOptions defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    public int opset() { return opset; }

    /** The input names given, possibly fewer than the model's inputs (the rest are named by position). */
    public List<String> inputNames() { return inputNames; }

    public List<String> outputNames() { return outputNames; }

    /** Per input or output name: axis to the name of its symbolic size. */
    public Map<String, Map<Integer, String>> dynamicAxes() { return dynamicAxes; }

    /** A copy of these options to change. */
    public Builder toBuilder() {
        Builder b = new Builder().opset(opset).inputNames(inputNames).outputNames(outputNames);
        b.dynamicAxes = dynamicAxes;
        return b;
    }

    @Override
    public String toString() {
        return "ExportOptions(opset=" + opset + ", inputNames=" + inputNames + ", outputNames=" + outputNames + ", dynamicAxes=" + dynamicAxes + ")";
    }

    public static final class Builder {
        private int opset = 17;
        private List<String> inputNames = List.of();
        private List<String> outputNames = List.of();
        private Map<String, Map<Integer, String>> dynamicAxes = Map.of();

        private Builder() {}

        public Builder opset(int opset) {
            if (!SUPPORTED_OPSETS.contains(opset)) {
                throw new IllegalArgumentException("opset " + opset + " is not one the exporter writes (it writes " + List.of(17, 18, 20, 21) + ")");
            }
            this.opset = opset;
            return this;
        }

        public Builder inputNames(String... names) { return inputNames(List.of(names)); }

        public Builder inputNames(List<String> names) { inputNames = List.copyOf(names); return this; }

        public Builder outputNames(String... names) { return outputNames(List.of(names)); }

        public Builder outputNames(List<String> names) { outputNames = List.copyOf(names); return this; }

        /** {@code dynamic_axes}: per input or output name, axis index to symbolic name. */
        public Builder dynamicAxes(Map<String, Map<Integer, String>> axes) {
            Map<String, Map<Integer, String>> copy = new LinkedHashMap<>();
            axes.forEach((name, dims) -> {
                dims.forEach((axis, sym) -> {
                    if (axis < 0) throw new IllegalArgumentException("dynamic axis " + axis + " of '" + name + "' is negative: give axes as non-negative indices");
                    if (sym == null || sym.isBlank()) throw new IllegalArgumentException("dynamic axis " + axis + " of '" + name + "' needs a symbolic name");
                });
                copy.put(name, Map.copyOf(dims));
            });
            dynamicAxes = Map.copyOf(copy);
            return this;
        }

        public ExportOptions build() { return new ExportOptions(this); }
    }
}
