package dev.kindling.api.schema;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The typed signature of one op of the table, as declared in {@code native_functions.schema}: its PyTorch name, its
 * arguments in declaration order (tensor inputs and attributes interleaved, as PyTorch writes them), the names of its
 * results, how autograd treats it, and which API forms are generated for it.
 */
public record FunctionSchema(String name, List<Argument> arguments, List<String> returns, Kind kind, boolean view,
                             boolean inPlace, boolean method, boolean function) {
    /** How autograd treats an op. */
    public enum Kind {
        /** Has its own derivative row, keyed by the op's name. */
        DIFFERENTIABLE,
        /** Defined through other ops, which autograd records one by one. */
        COMPOSITE,
        /** Outputs never require grad (comparisons, argmax, integer results). */
        NON_DIFFERENTIABLE
    }

    public FunctionSchema {
        arguments = List.copyOf(arguments);
        returns = List.copyOf(returns);
    }

    /** The tensor inputs, in order. */
    public List<Argument> inputs() { return arguments.stream().filter(Argument::isTensor).collect(Collectors.toList()); }

    /** The non-tensor arguments, in order: what an op call passes as its attributes. */
    public List<Argument> attributes() {
        return arguments.stream().filter(a -> !a.isTensor()).collect(Collectors.toList());
    }

    @Override
    public String toString() {
        String args = arguments.stream().map(Argument::toString).collect(Collectors.joining(", "));
        String ret = returns.size() == 1 ? "Tensor" : "(" + returns.stream().map(r -> "Tensor " + r).collect(Collectors.joining(", ")) + ")";
        return name + "(" + args + ") -> " + ret;
    }
}
