package dev.kindling.onnx;

import dev.kindling.api.Tensor;
import dev.kindling.nn.Module;

import java.util.List;
import java.util.Map;

/**
 * An ONNX model loaded to run on Kindling's backends ({@link Onnx#load}): each node runs as Kindling ops, so it runs
 * on any backend and under autograd. Initializers are parameters, registered under their ONNX names (a dotted name
 * such as {@code fc1.weight} is its state-dict key), so the model fine-tunes and re-exports.
 */
public abstract class OnnxModel extends Module {
    /** The graph's inputs that are not initializers, in order. */
    public abstract List<String> inputNames();

    /** The graph's outputs, in order. */
    public abstract List<String> outputNames();

    /** The model's {@code metadata_props}. */
    public abstract Map<String, String> metadata();

    /** The default-domain opset the model was stamped with. */
    public abstract int opset();

    /** Runs the graph on inputs given in {@link #inputNames()} order; returns every output in order. */
    public abstract Tensor[] run(Tensor... inputs);

    /** Runs the graph on named inputs; returns the outputs by name. */
    public abstract Map<String, Tensor> run(Map<String, Tensor> inputs);

    /** The first output of {@link #run(Tensor...)}. */
    @Override
    public Tensor forward(Tensor... inputs) { return run(inputs)[0]; }

    @Override
    public Tensor forward(Tensor x) { return run(x)[0]; }
}
