package dev.kindling.onnx.load;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import com.google.protobuf.CodedInputStream;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxModel;
import dev.kindling.onnx.internal.load.OpSupport;
import dev.kindling.onnx.internal.load.Values;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        List<TypeProto> inTypes = proto.getGraph().getInputList().stream().filter(v -> !inits.contains(v.getName())).map(v -> v.getType()).toList();
        List<TypeProto> outTypes = proto.getGraph().getOutputList().stream().map(v -> v.getType()).toList();
        Path set = dir.resolve("test_data_set_0");
        Map<String, Object> inputs = new LinkedHashMap<>();
        int count = 0;
        for (int k = 0; Files.exists(set.resolve("input_" + k + ".pb")); k++, count++) {
            if (k >= inTypes.size()) continue;
            try {
                inputs.put(model.inputNames().get(k), read(Files.readAllBytes(set.resolve("input_" + k + ".pb")), inTypes.get(k), "input_" + k + ".pb"));
            } catch (RuntimeException e) {
                return "input " + k + ": " + e.getMessage();
            }
        }
        if (count != model.inputNames().size()) {
            return "the data set has " + count + " inputs, the model takes " + model.inputNames().size();
        }
        Map<String, Object> got;
        try {
            got = OpSupport.runValues(model, inputs);
        } catch (RuntimeException e) {
            return "run: " + e.getMessage();
        }
        for (int k = 0; k < model.outputNames().size(); k++) {
            Path p = set.resolve("output_" + k + ".pb");
            if (!Files.exists(p)) continue;
            Object want;
            try {
                want = read(Files.readAllBytes(p), outTypes.get(k), p.getFileName().toString());
            } catch (RuntimeException e) {
                return "output " + k + ": " + e.getMessage();
            }
            String why = compareValues(got.get(model.outputNames().get(k)), want);
            if (why != null) return "output " + k + " (" + model.outputNames().get(k) + "): " + why;
        }
        return null;
    }

    /** A serialised value of the declared type: a TensorProto, or ONNX's SequenceProto / OptionalProto. */
    private static Object read(byte[] bytes, TypeProto type, String source) throws IOException {
        if (type.hasSequenceType()) return readSequence(bytes, type.getSequenceType().getElemType(), source);
        if (type.hasOptionalType()) {
            TypeProto inner = type.getOptionalType().getElemType();
            // OptionalProto: 3 tensor_value, 5 sequence_value; neither means empty
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            Object value = null;
            for (int tag; (tag = in.readTag()) != 0; ) {
                if (tag >>> 3 == 3) value = readTensor(in.readBytes().toByteArray(), inner.getTensorType().getElemType(), source);
                else if (tag >>> 3 == 5) value = readSequence(in.readBytes().toByteArray(), inner.getSequenceType().getElemType(), source);
                else in.skipField(tag);
            }
            return new Values.Optional(value);
        }
        return readTensor(bytes, type.getTensorType().getElemType(), source);
    }

    /** ONNX's SequenceProto (onnx-data.proto, not in the ONNX classes used here): field 3 holds the tensors. */
    private static Values.Sequence readSequence(byte[] bytes, TypeProto elem, String source) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        List<Tensor> items = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag >>> 3 == 3) items.add(readTensor(in.readBytes().toByteArray(), elem.getTensorType().getElemType(), source));
            else in.skipField(tag);
        }
        return new Values.Sequence(items, OpSupport.dtype(elem.getTensorType().getElemType()));
    }

    private static String compareValues(Object got, Object want) {
        if (want instanceof Values.Sequence ws) {
            if (!(got instanceof Values.Sequence gs)) return "expected a sequence, got " + got;
            if (gs.items().size() != ws.items().size()) return "sequence of " + gs.items().size() + ", expected " + ws.items().size();
            for (int i = 0; i < ws.items().size(); i++) {
                String why = compare(gs.items().get(i), ws.items().get(i));
                if (why != null) return "item " + i + ": " + why;
            }
            return null;
        }
        if (want instanceof Values.Optional wo) {
            Object g = got instanceof Values.Optional go ? go.value() : got;
            if (wo.value() == null) return g == null ? null : "expected an empty optional";
            return g == null ? "expected a value, got an empty optional" : compareValues(g, wo.value());
        }
        if (!(got instanceof Tensor t)) return "expected a tensor, got " + (got == null ? "nothing" : got.getClass().getSimpleName());
        return compare(t, (Tensor) want);
    }

    /**
     * Reads a serialised tensor. numpy has no bfloat16, so ONNX 1.12's generators saved bfloat16 data as UINT16 bit
     * patterns; where the model declares BFLOAT16, such a tensor is read as the bfloat16 it stands for.
     */
    private static Tensor readTensor(byte[] bytes, int declared, String source) throws IOException {
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
