package dev.kindling.jit;

import dev.kindling.api.Tensor;
import dev.kindling.nn.Module;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** PyTorch's {@code torch.jit}: trace a module's forward call, save it (as ONNX), load it back. (Being written.) */
public final class Jit {
    private Jit() {}

    public static TracedModule trace(Module module, Tensor... exampleInputs) {
        return trace(module, exampleInputs, List.of(), List.of(), Map.of());
    }

    public static TracedModule trace(Module module, Tensor[] exampleInputs, List<String> inputNames, List<String> outputNames,
                                     Map<String, Map<Integer, String>> dynamicAxes) {
        throw new UnsupportedOperationException("Jit.trace is being written");
    }

    public static void save(TracedModule traced, Path path) { throw new UnsupportedOperationException("Jit.save is being written"); }

    public static Module load(Path path) { return dev.kindling.onnx.Onnx.load(path); }
}
