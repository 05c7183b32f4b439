package dev.kindling.jit;

import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.ops.DenseTensor;
import dev.kindling.nn.Module;
import dev.kindling.onnx.ExportOptions;
import dev.kindling.onnx.Onnx;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's {@code torch.jit}: {@link #trace} records the ops of one forward call as a {@link Graph} and returns a
 * {@link TracedModule} that replays it on any backend; {@link #save} writes it as an ONNX file (Kindling's saved
 * program format: TorchScript's own is deprecated by its owner) and {@link #load} loads one back as a runnable,
 * trainable module.
 *
 * <p>As {@code torch.jit.trace}, a trace records one path through the forward: control flow that depends on tensor
 * values is frozen. Sizes are frozen too, unless an axis is declared dynamic: then the module is traced twice, at two
 * different sizes (≥ 2) of every dynamic axis, every size that changed with them becomes a {@link SymInt}, and the
 * result is checked against the eager module at a third size. A trace that cannot be kept symbolic (a tensor created
 * in the forward with a size taken from the input, a size used in arithmetic the tracer cannot follow) fails loudly
 * instead of freezing the size.
 */
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
public final class Jit {
    private Jit() {}

    /** Traces {@code module} on {@code exampleInputs} with every size frozen. */
    public static TracedModule trace(Module module, Tensor... exampleInputs) {
        return trace(module, exampleInputs, List.of(), List.of(), Map.of());
    }

    /**
     * Traces {@code module} on {@code exampleInputs}; {@code dynamicAxes} (as ONNX export's {@code dynamic_axes}, keyed
     * by input or output name) keeps the named axes symbolic. Inputs left unnamed are {@code input}, {@code input_1},
     * ...; outputs {@code output}, ....
     */
    public static TracedModule trace(Module module, Tensor[] exampleInputs, List<String> inputNames, List<String> outputNames,
                                     Map<String, Map<Integer, String>> dynamicAxes) {
        if (exampleInputs.length == 0) throw new IllegalArgumentException("Jit.trace needs at least one example input");
        List<String> ins = names(inputNames, exampleInputs.length, "input");
        Map<String, Map<Integer, String>> inputAxes = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Integer, String>> e : dynamicAxes.entrySet()) {
            int i = ins.indexOf(e.getKey());
            if (i >= 0) {
                for (int axis : e.getValue().keySet()) {
                    if (axis >= exampleInputs[i].dim()) {
                        throw new IllegalArgumentException("dynamic axis " + axis + " of input '" + e.getKey() + "' is out of range: it has "
                                + exampleInputs[i].dim() + " dims " + Arrays.toString(exampleInputs[i].shape()));
                    }
                }
                inputAxes.put(e.getKey(), e.getValue());
            }
        }
        if (inputAxes.isEmpty()) {
            Graph g = record(module, exampleInputs, ins);
            List<String> outs = names(outputNames, g.outputs().size(), "output");
            checkOutputAxes(g, outs, dynamicAxes, ins);
            return new TracedModule(module, g, ins, outs);
        }
        List<String> symbols = new ArrayList<>();
        for (Map<Integer, String> axes : inputAxes.values()) for (String s : axes.values()) if (!symbols.contains(s)) symbols.add(s);
        Map<String, Long> sizesA = new LinkedHashMap<>(), sizesB = new LinkedHashMap<>(), sizesC = new LinkedHashMap<>();
        if (symbols.size() + 1 > PRIMES.length) throw new IllegalArgumentException("at most " + (PRIMES.length - 1) + " distinct dynamic axes, got " + symbols);
        for (int s = 0; s < symbols.size(); s++) {
            // Distinct primes per symbol and per trace, so that a size the program computed names its symbols.
            sizesA.put(symbols.get(s), (long) PRIMES[s]);
            sizesB.put(symbols.get(s), (long) PRIMES[s + 1]);
            sizesC.put(symbols.get(s), (long) PRIMES[s] + PRIMES[s + 1] + 1);
        }
        Tensor[] a = resized(exampleInputs, ins, inputAxes, sizesA);
        Tensor[] b = resized(exampleInputs, ins, inputAxes, sizesB);
        Graph ga = record(module, a, ins);
        Graph gb = record(module, b, ins);
        Graph g = new Generalizer(sizesA, sizesB, module.getClass().getSimpleName()).generalize(ga, gb, inputAxes, ins);
        List<String> outs = names(outputNames, g.outputs().size(), "output");
        checkOutputAxes(g, outs, dynamicAxes, ins);
        TracedModule traced = new TracedModule(module, g, ins, outs);
        verify(module, traced, resized(exampleInputs, ins, inputAxes, sizesC), sizesC);
        return traced;
    }

    /** Writes {@code traced} as an ONNX file at opset 17 ({@link Onnx#export(TracedModule, Path, ExportOptions)} for more). */
    public static void save(TracedModule traced, Path path) { Onnx.export(traced, path, ExportOptions.defaults()); }

    /** Loads an ONNX file (one {@link #save} wrote, or any other) as a runnable, trainable module. */
    public static Module load(Path path) { return Onnx.load(path); }

    private static final int[] PRIMES = {2, 3, 5, 7, 11, 13, 17, 19, 23};

    private static Graph record(Module module, Tensor[] inputs, List<String> names) {
        Kernel kernel = kernelOf(inputs[0]);
        TraceRecorder rec = new TraceRecorder(module.namedParameters(), module.namedBuffers());
        for (int i = 0; i < inputs.length; i++) {
            for (int j = 0; j < i; j++) {
                if (inputs[j] == inputs[i]) throw new IllegalArgumentException("inputs " + j + " and " + i + " of the trace are the same tensor: pass a clone");
            }
            rec.addInput(inputs[i], names.get(i));
        }
        Tensor out;
        kernel.addDispatchLayer(rec);
        try (GradMode ignored = Torch.noGrad()) {
            out = inputs.length == 1 ? module.forward(inputs[0]) : module.forward(inputs);
        } finally {
            kernel.removeDispatchLayer(rec);
        }
        return rec.graph(List.of(rec.resultValue(out)));
    }

    private static Kernel kernelOf(Tensor t) {
        if (t instanceof DenseTensor && ((DenseTensor) t).kernel() instanceof Kernel) return (Kernel) ((DenseTensor) t).kernel();
        if (TensorRuntimes.get() instanceof Kernel) return (Kernel) TensorRuntimes.get();
        throw new IllegalStateException("Jit.trace needs Kindling's kernel as the tensor runtime, found " + TensorRuntimes.get().getClass().getName());
    }

    /** The example inputs with each dynamic axis resized to {@code sizes} (rows repeated cyclically: real values, valid indices). */
    private static Tensor[] resized(Tensor[] examples, List<String> names, Map<String, Map<Integer, String>> axes, Map<String, Long> sizes) {
        Tensor[] out = examples.clone();
        for (int i = 0; i < out.length; i++) {
            Map<Integer, String> dyn = axes.get(names.get(i));
            if (dyn == null) continue;
            for (Map.Entry<Integer, String> e : dyn.entrySet()) {
                int axis = e.getKey();
                long have = out[i].size(axis), want = sizes.get(e.getValue());
                if (have == 0) throw new IllegalArgumentException("dynamic axis " + axis + " of input '" + names.get(i) + "' has size 0: trace with a non-empty example");
                long[] idx = new long[Math.toIntExact(want)];
                for (int k = 0; k < idx.length; k++) idx[k] = k % have;
                out[i] = out[i].indexSelect(axis, Torch.tensor(idx).to(out[i].device())).contiguous();
            }
        }
        return out;
    }

    /** The eager module and the trace agree at a size neither trace saw, or the trace is refused. */
    private static void verify(Module module, TracedModule traced, Tensor[] inputs, Map<String, Long> sizes) {
        Tensor want, got;
        try (GradMode ignored = Torch.noGrad()) {
            want = inputs.length == 1 ? module.forward(inputs[0]) : module.forward(inputs);
            got = traced.run(inputs)[0];
        } catch (RuntimeException e) {
            throw new IllegalStateException("the trace of " + module.getClass().getSimpleName() + " does not run at dynamic sizes " + sizes + ": " + e.getMessage(), e);
        }
        if (!Arrays.equals(want.shape(), got.shape()) || !want.dtype().equals(got.dtype())
                || (want.dtype().isFloatingPoint() ? !got.allclose(want, 1e-4, 1e-5) : !got.equal(want))) {
            throw new IllegalStateException("the trace of " + module.getClass().getSimpleName() + " does not generalise over its dynamic axes: at sizes " + sizes
                    + " it gives shape " + Arrays.toString(got.shape()) + " where the module gives " + Arrays.toString(want.shape())
                    + " (or different values): the forward uses a size of a dynamic axis in a way the tracer cannot follow");
        }
    }

    private static void checkOutputAxes(Graph g, List<String> outs, Map<String, Map<Integer, String>> dynamicAxes, List<String> ins) {
        for (Map.Entry<String, Map<Integer, String>> e : dynamicAxes.entrySet()) {
            int o = outs.indexOf(e.getKey());
            if (o < 0) {
                if (!ins.contains(e.getKey())) {
                    throw new IllegalArgumentException("dynamic axes are given for '" + e.getKey() + "', which is neither an input " + ins + " nor an output " + outs);
                }
                continue;
            }
            List<Object> shape = g.outputs().get(o).shape();
            for (int axis : e.getValue().keySet()) {
                if (axis >= shape.size()) throw new IllegalArgumentException("dynamic axis " + axis + " of output '" + e.getKey() + "' is out of range: its shape is " + shape);
                if (!(shape.get(axis) instanceof SymInt)) {
                    throw new IllegalStateException("axis " + axis + " of output '" + e.getKey() + "' is declared dynamic but the trace gives it the fixed size "
                            + shape.get(axis) + " (shape " + shape + "): declare the input axes it follows as dynamic");
                }
            }
        }
    }

    private static List<String> names(List<String> given, int n, String base) {
        if (given.size() > n) throw new IllegalArgumentException(given.size() + " names given for " + n + " " + base + "s: " + given);
        List<String> out = new ArrayList<>(given);
        for (int i = given.size(); i < n; i++) out.add(i == 0 ? base : base + "_" + i);
        if (out.stream().distinct().count() != out.size()) throw new IllegalArgumentException(base + " names repeat: " + out);
        return out;
    }
}
