package dev.kindling.autograd.internal;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.ops.Attrs;

import java.util.function.BiFunction;

/**
 * One row of the derivatives table: the backward node's name (PyTorch's), which inputs and whether the output must be
 * saved, and the formula from the output gradient to the input gradients.
 */
final class Derivative {
    interface Formula {
        Tensor[] apply(Ctx c, Tensor grad);
    }

    /** What a formula may read: saved tensors, input metadata, attributes. */
    interface Ctx {
        Tensor in(int i);

        Tensor out();

        Tensor out(int i);

        Attrs attrs();

        long[] inShape(int i);

        dev.kindling.api.DType inDType(int i);

        int numInputs();

        boolean needs(int i);

        /**
         * The gradient of output {@code i}, or null where none flowed into it; formulas of rows made with
         * {@code allGrads} read it (they run when any output has a gradient, so {@code grad} may then be null).
         */
        Tensor grad(int i);
    }

    /** PyTorch's node name, from the attributes and the inputs (e.g. pow with a scalar exponent is PowBackward0). */
    final BiFunction<Attrs, Tensor[], String> name;
    final int saveInputs;
    /** The outputs the formula reads, as a bit mask (-1: all of them, 0: none). */
    final int saveOutputs;
    final Formula formula;
    /** Whether the formula reads the gradients of every output (QR, SVD), not just output 0's. */
    final boolean allGrads;

    Derivative(BiFunction<Attrs, Tensor[], String> name, int saveInputs, boolean saveOutput, Formula formula) {
        this(name, saveInputs, saveOutput, formula, false);
    }

    Derivative(BiFunction<Attrs, Tensor[], String> name, int saveInputs, boolean saveOutput, Formula formula, boolean allGrads) {
        this(name, saveInputs, saveOutput ? -1 : 0, formula, allGrads);
    }

    /** {@code saveOutputs}: only the outputs its bits name, so a large output the formula never reads is not kept alive. */
    Derivative(BiFunction<Attrs, Tensor[], String> name, int saveInputs, int saveOutputs, Formula formula, boolean allGrads) {
        this.name = name;
        this.saveInputs = saveInputs;
        this.saveOutputs = saveOutputs;
        this.formula = formula;
        this.allGrads = allGrads;
    }

    boolean savesInput(int i) { return i < 31 && (saveInputs & (1 << i)) != 0; }

    boolean savesOutput(int i) { return saveOutputs == -1 || (i < 31 && (saveOutputs & (1 << i)) != 0); }
}
