package dev.kindling.onnx.internal.load;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.OnnxException;

import java.nio.charset.StandardCharsets;

/**
 * What an {@link Op} sees of one node call: its inputs (absent optional inputs are null), typed attribute access
 * (a wrong attribute type is an {@link OnnxException} naming the node and attribute) and the opset. Ops follow ONNX
 * semantics only: Dropout and BatchNormalization train when their training_mode input/attribute says so, whatever the
 * module's train/eval flag.
 */
public final class OpContext {
    private final NodeDef node;
    private final Object[] inputs;
    private final java.util.Map<String, Object> scope;

    OpContext(NodeDef node, Object[] inputs, java.util.Map<String, Object> scope) {
        this.node = node;
        this.inputs = inputs;
        this.scope = scope;
    }

    public int opset() { return node.opset; }

    /** The number of inputs the node lists, absent optional ones included. */
    public int inputCount() { return inputs.length; }

    public int outputCount() { return node.outputs.size(); }

    /** True when output {@code i} is listed and named (someone may read it). */
    public boolean wantsOutput(int i) { return i < node.outputs.size() && !node.outputs.get(i).isEmpty(); }

    /** Required input {@code i}. */
    public Tensor in(int i) {
        Tensor t = opt(i);
        if (t == null) throw error("input " + i + " is required but missing");
        return t;
    }

    /** Optional input {@code i}, or null; a sequence or optional where a tensor is needed is an error. */
    public Tensor opt(int i) {
        Object v = raw(i);
        if (v == null || v instanceof Tensor) return (Tensor) v;
        throw error("input " + i + " is " + Values.kind(v) + ", a tensor is needed");
    }

    /** Input {@code i} whatever its kind (tensor, sequence, optional), or null when absent. */
    public Object raw(int i) { return i < inputs.length ? inputs[i] : null; }

    /** Input {@code i} as a sequence. */
    public Values.Sequence seq(int i) {
        Object v = raw(i);
        if (v instanceof Values.Sequence s) return s;
        throw error("input " + i + " is " + Values.kind(v) + ", a sequence is needed");
    }

    /** All inputs (for variadic ops), absent ones left out. */
    public Tensor[] all() {
        Tensor[] r = new Tensor[inputs.length];
        int n = 0;
        for (int i = 0; i < inputs.length; i++) if (inputs[i] != null) r[n++] = opt(i);
        return java.util.Arrays.copyOf(r, n);
    }

    /** The integer values of input {@code i} (a shape, axes, pads...), read from the tensor at run time; null if absent. */
    public long[] longs(int i) {
        Tensor t = opt(i);
        if (t == null) return null;
        if (!t.dtype().isIntegral()) throw error("input " + i + " must be an integer tensor, got " + t.dtype().torchName());
        return t.toLongArray();
    }

    /** The one value of scalar input {@code i} as a double, or {@code def} if absent. */
    public double scalar(int i, double def) {
        Tensor t = opt(i);
        if (t == null) return def;
        if (t.numel() != 1) throw error("input " + i + " must hold one value, has shape " + java.util.Arrays.toString(t.shape()));
        return t.toDoubleArray()[0];
    }

    // ---- attributes ----

    public boolean has(String name) { return node.attrs.containsKey(name); }

    /** Whether attribute {@code name} is present as an INT (for attributes whose type changed across opsets). */
    public boolean hasInt(String name) {
        AttributeProto a = node.attrs.get(name);
        return a != null && a.getType() == AttributeType.INT;
    }

    private AttributeProto attr(String name, AttributeType type) {
        AttributeProto a = node.attrs.get(name);
        if (a == null) return null;
        if (a.getType() != type) throw error("attribute '" + name + "' must be " + type + ", got " + a.getType());
        return a;
    }

    public long i(String name, long def) {
        AttributeProto a = attr(name, AttributeType.INT);
        return a == null ? def : a.getI();
    }

    public float f(String name, float def) {
        AttributeProto a = attr(name, AttributeType.FLOAT);
        return a == null ? def : a.getF();
    }

    public String s(String name, String def) {
        AttributeProto a = attr(name, AttributeType.STRING);
        return a == null ? def : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** An INTS attribute, or null when absent. */
    public long[] ints(String name) {
        AttributeProto a = attr(name, AttributeType.INTS);
        if (a == null) return null;
        long[] v = new long[a.getIntsCount()];
        for (int k = 0; k < v.length; k++) v[k] = a.getInts(k);
        return v;
    }

    public float[] floats(String name) {
        AttributeProto a = attr(name, AttributeType.FLOATS);
        if (a == null) return null;
        float[] v = new float[a.getFloatsCount()];
        for (int k = 0; k < v.length; k++) v[k] = a.getFloats(k);
        return v;
    }

    public String[] strings(String name) {
        AttributeProto a = attr(name, AttributeType.STRINGS);
        if (a == null) return null;
        String[] v = new String[a.getStringsCount()];
        for (int k = 0; k < v.length; k++) v[k] = a.getStrings(k).toString(StandardCharsets.UTF_8);
        return v;
    }

    /** A TENSOR attribute (decoded at load time), or null. */
    public Tensor t(String name) {
        attr(name, AttributeType.TENSOR);
        return node.tensorAttrs.get(name);
    }

    /** The number of inputs of GRAPH attribute {@code name}. */
    public int graphInputs(String name) { return graph(name).inputs.size(); }

    /** Runs GRAPH attribute {@code name} on {@code args}, with this node's scope visible; returns its outputs. */
    public Object[] runGraph(String name, Object... args) { return graph(name).run(scope, args); }

    private SubGraph graph(String name) {
        SubGraph g = node.graphs.get(name);
        if (g == null) throw error("graph attribute '" + name + "' is missing");
        return g;
    }

    // ---- helpers ----

    /** Normalises an axis against {@code rank} (negative counts from the end); out of range is an error. */
    public int axis(long axis, int rank) {
        if (axis < -rank || axis >= Math.max(rank, 1)) throw error("axis " + axis + " is out of range for rank " + rank);
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** Checks that an op about to allocate {@code shape} (from run-time values or attributes) stays within reason. */
    public void checkAlloc(long[] shape) {
        try {
            checkSize(shape);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    /**
     * The same check without a node (the interpreter names the node when it passes the exception on): no negative
     * dimension, at most {@link TensorProtos#MAX_ELEMENTS} elements, and at most a quarter of the heap at 8 bytes each.
     */
    public static void checkSize(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " has a negative dimension");
            if (d != 0 && n > TensorProtos.MAX_ELEMENTS / d) throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " is too large");
            n *= d;
        }
        if (n * 8 > Runtime.getRuntime().maxMemory() / 4) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " needs more memory than is available");
        }
    }

    /** An INT64 tensor of {@code values} on {@code like}'s device. */
    public static Tensor longsLike(long[] values, Tensor like, long... shape) {
        Tensor t = Torch.tensor(values, shape.length == 0 && values.length != 1 ? new long[] {values.length} : shape);
        return like == null || t.device().equals(like.device()) ? t : t.to(like.device());
    }

    /** A 0-dim tensor of {@code value} with {@code like}'s dtype and device. */
    public static Tensor scalarLike(double value, Tensor like) {
        return Torch.full(new long[0], value, like.dtype(), like.device());
    }

    /** A 0-dim tensor of {@code value} with {@code dtype} on {@code like}'s device. */
    public static Tensor scalarOf(double value, DType dtype, Tensor like) {
        return Torch.full(new long[0], value, dtype, like.device());
    }

    /** An error naming this node. */
    public OnnxException error(String message) {
        return new OnnxException(node.describe() + ": " + message);
    }
}
