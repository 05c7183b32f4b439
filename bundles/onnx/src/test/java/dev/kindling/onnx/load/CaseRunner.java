package dev.kindling.onnx.load;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxModel;
import dev.kindling.onnx.internal.load.OpSupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Runs one case in ONNX's backend-test layout ({@code model.onnx}, {@code test_data_set_0/input_K.pb} and
 * {@code output_K.pb}) and compares as ONNX's runner does: rtol 1e-3, atol 1e-7 (1e-3 for float16, 1e-2 for
 * bfloat16), the same shape, and the output in the dtype the ONNX type maps to.
 */
final class CaseRunner {
    private CaseRunner() {}

    /** Null when the case in {@code dir} passes, else a short reason. */
    static String check(Path dir) throws IOException {
        OnnxModel model;
        try {
            model = Onnx.load(dir.resolve("model.onnx"));
        } catch (RuntimeException e) {
            return "load: " + e.getMessage();
        }
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx")));
        Set<String> inits = new java.util.HashSet<>();
        proto.getGraph().getInitializerList().forEach(t -> inits.add(t.getName()));
        List<Integer> inTypes = proto.getGraph().getInputList().stream().filter(v -> !inits.contains(v.getName()))
                .map(v -> v.getType().getTensorType().getElemType()).toList();
        List<Integer> outTypes = proto.getGraph().getOutputList().stream().map(v -> v.getType().getTensorType().getElemType()).toList();
        Path set = dir.resolve("test_data_set_0");
        List<Tensor> inputs = new ArrayList<>();
        for (int k = 0; Files.exists(set.resolve("input_" + k + ".pb")); k++) {
            try {
                inputs.add(readAs(Files.readAllBytes(set.resolve("input_" + k + ".pb")), k < inTypes.size() ? inTypes.get(k) : 0, "input_" + k + ".pb"));
            } catch (RuntimeException e) {
                return "input " + k + ": " + e.getMessage();
            }
        }
        if (inputs.size() != model.inputNames().size()) {
            return "the data set has " + inputs.size() + " inputs, the model takes " + model.inputNames().size();
        }
        Tensor[] got;
        try {
            got = model.run(inputs.toArray(Tensor[]::new));
        } catch (RuntimeException e) {
            return "run: " + e.getMessage();
        }
        for (int k = 0; k < got.length; k++) {
            Path p = set.resolve("output_" + k + ".pb");
            if (!Files.exists(p)) continue;
            byte[] bytes = Files.readAllBytes(p);
            Tensor want;
            try {
                want = readAs(bytes, k < outTypes.size() ? outTypes.get(k) : 0, p.getFileName().toString());
            } catch (RuntimeException e) {
                return "output " + k + ": " + e.getMessage();
            }
            String why = compare(got[k], want);
            if (why != null) return "output " + k + " (" + model.outputNames().get(k) + "): " + why;
        }
        return null;
    }

    /**
     * Reads a serialised tensor. numpy has no bfloat16, so ONNX 1.12's generators saved bfloat16 data as UINT16 bit
     * patterns; where the model declares BFLOAT16, such a tensor is read as the bfloat16 it stands for.
     */
    private static Tensor readAs(byte[] bytes, int declared, String source) throws IOException {
        TensorProto t = TensorProto.parseFrom(bytes);
        if (declared == TensorProto.DataType.BFLOAT16_VALUE && t.getDataType() == TensorProto.DataType.UINT16_VALUE) {
            bytes = t.toBuilder().setDataType(TensorProto.DataType.BFLOAT16_VALUE).build().toByteArray();
        }
        return OpSupport.readTensor(bytes, source);
    }

    static String compare(Tensor got, Tensor want) {
        if (!Arrays.equals(got.shape(), want.shape())) return "shape " + Arrays.toString(got.shape()) + ", expected " + Arrays.toString(want.shape());
        if (got.dtype() != want.dtype()) return "dtype " + got.dtype().torchName() + ", expected " + want.dtype().torchName();
        DType dt = want.dtype();
        if (dt.isFloatingPoint()) {
            double rtol = 1e-3, atol = dt == DType.FLOAT16 ? 1e-3 : dt == DType.BFLOAT16 ? 1e-2 : 1e-7;
            double[] g = got.toDoubleArray(), w = want.toDoubleArray();
            for (int i = 0; i < g.length; i++) {
                if (Double.isNaN(w[i]) && Double.isNaN(g[i])) continue;
                if (w[i] == g[i]) continue;
                if (!(Math.abs(g[i] - w[i]) <= atol + rtol * Math.abs(w[i]))) return "element " + i + " is " + g[i] + ", expected " + w[i];
            }
        } else if (dt.isBool()) {
            if (!Arrays.equals(got.toBooleanArray(), want.toBooleanArray())) return "values differ: " + got + " vs " + want;
        } else {
            long[] g = got.toLongArray(), w = want.toLongArray();
            for (int i = 0; i < g.length; i++) if (g[i] != w[i]) return "element " + i + " is " + g[i] + ", expected " + w[i];
        }
        return null;
    }
}
