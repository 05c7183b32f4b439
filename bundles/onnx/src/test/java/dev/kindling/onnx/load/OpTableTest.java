package dev.kindling.onnx.load;

import dev.kindling.onnx.internal.load.OpTable;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The op table holds at least the ops the importer promises (Kindling's layer set and common classifiers). */
class OpTableTest {
    private static final List<String> PROMISED = List.of(
            "Add", "Sub", "Mul", "Div", "Pow", "Neg", "Abs", "Sign", "Exp", "Log", "Sqrt", "Reciprocal", "Sin", "Cos", "Tan",
            "Asin", "Acos", "Atan", "Sinh", "Cosh", "Tanh", "Erf", "Floor", "Ceil", "Round", "Relu", "LeakyRelu", "Sigmoid",
            "HardSigmoid", "HardSwish", "Elu", "Selu", "Softplus", "Softsign", "Gelu", "Clip", "Min", "Max", "Sum", "Mean",
            "Where", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf",
            "Cast", "CastLike", "Identity", "Constant", "ConstantOfShape", "Shape", "Size", "Reshape", "Flatten", "Transpose",
            "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Gather", "GatherElements", "GatherND", "ScatterElements",
            "ScatterND", "Expand", "Tile", "Pad", "Range", "Trilu", "MatMul", "Gemm", "Conv", "ConvTranspose", "MaxPool",
            "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "LayerNormalization",
            "InstanceNormalization", "GroupNormalization", "Dropout", "Softmax", "LogSoftmax", "ArgMax", "ArgMin", "ReduceSum",
            "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSumExp", "ReduceSumSquare",
            "TopK", "CumSum", "OneHot", "NonZero", "Einsum", "LSTM", "GRU", "RNN", "Resize", "DepthToSpace", "SpaceToDepth",
            "Mod", "PRelu", "If", "Loop", "Scan", "Attention");

    @Test
    void everyPromisedOpIsInTheTable() {
        Set<String> missing = new TreeSet<>(PROMISED);
        missing.removeAll(OpTable.supported());
        assertEquals(Set.of(), missing);
        assertTrue(OpTable.supported().size() >= 190, "the table has " + OpTable.supported().size() + " ops");
        System.out.println("[onnx ops] " + OpTable.supported().size() + " ai.onnx ops: " + String.join(" ", OpTable.supported()));
    }
}
