package dev.kindling.onnx.load;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Builds ONNX models in tests with the protobuf builders (no Python, no files from elsewhere). */
final class Protos {
    private Protos() {}

    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE, INT64 = TensorProto.DataType.INT64_VALUE;

    /** A FLOAT initializer with little-endian raw_data. */
    static TensorProto floats(String name, float[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) b.putFloat(f);
        return TensorProto.newBuilder().setName(name).setDataType(FLOAT).addAllDims(boxed(dims)).setRawData(ByteString.copyFrom(b.array())).build();
    }

    /** An INT64 initializer in the typed int64_data field. */
    static TensorProto longs(String name, long[] data, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(INT64).addAllDims(boxed(dims));
        for (long v : data) t.addInt64Data(v);
        return t.build();
    }

    static List<Long> boxed(long[] dims) { return java.util.Arrays.stream(dims).boxed().toList(); }

    /** A tensor value; a dim given as a String is a {@code dim_param}. */
    static ValueInfoProto value(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String s) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(s));
            else shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    static NodeProto node(String op, String name, List<String> in, List<String> out, AttributeProto... attrs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out).addAllAttribute(List.of(attrs)).build();
    }

    static AttributeProto attr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
    }

    static AttributeProto attr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto attr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto ints(String name, long... v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS).addAllInts(boxed(v)).build();
    }

    static AttributeProto tensorAttr(String name, TensorProto t) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(t).build();
    }

    static ModelProto model(GraphProto graph, int opset) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("kindling-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph).build();
    }

    /**
     * Adds {@code out = Reshape(in, Concat(Unsqueeze(Gather(Shape(in), 0)), [width]))}: a reshape to
     * {@code [batch, width]} whose batch size is read from the input at run time, as exporters write dynamic axes.
     */
    static GraphProto.Builder reshapeToBatch(GraphProto.Builder g, String in, String out, long width) {
        return g.addInitializer(longs("zero", new long[] {0}))
                .addInitializer(longs("axes0", new long[] {0}, 1))
                .addInitializer(longs("width", new long[] {width}, 1))
                .addNode(node("Shape", "shape", List.of(in), List.of("s")))
                .addNode(node("Gather", "batch", List.of("s", "zero"), List.of("b"), attr("axis", 0L)))
                .addNode(node("Unsqueeze", "unsq", List.of("b", "axes0"), List.of("b1")))
                .addNode(node("Concat", "cat", List.of("b1", "width"), List.of("shape2"), attr("axis", 0L)))
                .addNode(node("Reshape", "flat", List.of(in, "shape2"), List.of(out)));
    }

    /** {@code y = Gemm(Relu(Gemm(x, fc1)), fc2)} with PyTorch Linear layouts (transB=1), x: [batch, in]. */
    static ModelProto mlp(int in, int hidden, int out, long seed) {
        java.util.Random r = new java.util.Random(seed);
        GraphProto g = GraphProto.newBuilder().setName("mlp")
                .addInput(value("x", FLOAT, "batch", in))
                .addOutput(value("y", FLOAT, "batch", out))
                .addInitializer(floats("fc1.weight", random(r, hidden * in, 1.0 / Math.sqrt(in)), hidden, in))
                .addInitializer(floats("fc1.bias", random(r, hidden, 0.1), hidden))
                .addInitializer(floats("fc2.weight", random(r, out * hidden, 1.0 / Math.sqrt(hidden)), out, hidden))
                .addInitializer(floats("fc2.bias", random(r, out, 0.1), out))
                .addNode(node("Gemm", "fc1", List.of("x", "fc1.weight", "fc1.bias"), List.of("h"), attr("transB", 1L)))
                .addNode(node("Relu", "relu", List.of("h"), List.of("a")))
                .addNode(node("Gemm", "fc2", List.of("a", "fc2.weight", "fc2.bias"), List.of("y"), attr("transB", 1L)))
                .build();
        return model(g, 17);
    }

    static float[] random(java.util.Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return v;
    }
}
