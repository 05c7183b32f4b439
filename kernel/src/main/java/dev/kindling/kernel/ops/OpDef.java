package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;
import dev.kindling.api.schema.Argument;
import dev.kindling.api.schema.FunctionSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One op of the table: its typed signature ({@link FunctionSchema}, declared in the api's
 * {@code native_functions.schema}), its forward, and how autograd must treat it.
 *
 * <ul>
 *   <li>{@link Kind#DIFFERENTIABLE}: has its own derivative in the autograd bundle's table (keyed by {@link #name()});
 *       its forward may use other ops, which are then not recorded.</li>
 *   <li>{@link Kind#COMPOSITE}: defined through other ops, which autograd records one by one.</li>
 *   <li>{@link Kind#NON_DIFFERENTIABLE}: comparisons, argmax, integer-only results: outputs never require grad.</li>
 * </ul>
 * Flags say whether output 0 is a view of input 0 or input 0 is modified in place.
 */
public final class OpDef {
    public enum Kind { DIFFERENTIABLE, COMPOSITE, NON_DIFFERENTIABLE }

    /** Computes the op's outputs from its inputs and attributes. */
    @FunctionalInterface
    public interface Forward {
        Tensor[] apply(Tensor[] inputs, Attrs attrs);
    }

    private final FunctionSchema schema;
    private final Kind kind;
    private final List<Argument> attributes;
    private final int inputCount;
    private final boolean nary;
    private final Forward forward;
    private final Attrs noAttrs;
    private final boolean attributesOptional;
    // The attribute schema unpacked once, for the per-call checks and lookups.
    final String[] attrNames;
    final Class<?>[] attrClasses;
    final boolean[] attrNullable;
    final boolean[] attrHasDefault;
    final Object[] attrDefaults;

    OpDef(FunctionSchema schema, Forward forward) {
        this.schema = schema;
        this.kind = Kind.valueOf(schema.kind().name());
        this.attributes = schema.attributes();
        this.inputCount = schema.inputs().size();
        this.nary = schema.arguments().get(0).type().equals("Tensor[]");
        this.forward = forward;
        int n = attributes.size();
        attrNames = new String[n];
        attrClasses = new Class<?>[n];
        attrNullable = new boolean[n];
        attrHasDefault = new boolean[n];
        attrDefaults = new Object[n];
        for (int i = 0; i < n; i++) {
            Argument a = attributes.get(i);
            attrNames[i] = a.name().intern();
            attrClasses[i] = Attrs.javaClass(a.type());
            attrNullable[i] = a.nullable();
            attrHasDefault[i] = a.hasDefault();
            attrDefaults[i] = a.hasDefault() ? Attrs.defaultValue(a) : null;
        }
        this.noAttrs = Attrs.unchecked(this, new Object[0]);
        this.attributesOptional = attributes.stream().allMatch(Argument::hasDefault);
    }

    public String name() { return schema.name(); }

    public FunctionSchema schema() { return schema; }

    public Kind kind() { return kind; }

    public boolean isView() { return schema.view(); }

    public boolean isInPlace() { return schema.inPlace(); }

    /** The attribute arguments of the schema, in order. */
    public List<Argument> attributes() { return attributes; }

    /** Attributes for a call of this op, checked against its schema now. */
    public Attrs attrs(Object... values) { return values.length == 0 && attributesOptional ? noAttrs : Attrs.bind(this, values); }

    /**
     * Attributes given by name (as Python keyword arguments), converted to the schema's types: numbers to
     * {@code int}/{@code long}/{@code double}, lists of numbers to {@code int[]}/{@code long[]}. Left-out attributes
     * take their defaults; an unknown name fails.
     */
    public Attrs attrsByName(Map<String, ?> named) {
        for (String key : named.keySet()) {
            if (attributes.stream().noneMatch(a -> a.name().equals(key))) {
                throw new IllegalArgumentException(name() + "() has no attribute '" + key + "' (its attributes: " + attributes + ")");
            }
        }
        // Up to the last named attribute; a left-out one before it takes its default explicitly.
        int last = -1;
        for (int i = 0; i < attributes.size(); i++) if (named.containsKey(attributes.get(i).name())) last = i;
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < attributes.size(); i++) {
            Argument a = attributes.get(i);
            if (named.containsKey(a.name())) {
                values.add(convert(named.get(a.name()), a));
            } else if (!a.hasDefault()) {
                throw new IllegalArgumentException(name() + "() missing attribute '" + a.name() + "' (" + a + ")");
            } else if (i < last) {
                values.add(attrDefaults[i]);
            }
        }
        return Attrs.bind(this, values.toArray());
    }

    private static Object convert(Object v, Argument a) {
        if (v == null) return null;
        switch (a.type()) {
            case "int": return v instanceof Number ? ((Number) v).intValue() : v;
            case "long": return v instanceof Number ? ((Number) v).longValue() : v;
            case "double": return v instanceof Number ? ((Number) v).doubleValue() : v instanceof String ? Double.valueOf((String) v) : v; // "Infinity" (JSON)
            case "int[]": return v instanceof List ? ((List<?>) v).stream().mapToInt(x -> ((Number) x).intValue()).toArray() : v;
            case "long[]": return v instanceof List ? ((List<?>) v).stream().mapToLong(x -> ((Number) x).longValue()).toArray() : v;
            default: return v;
        }
    }

    /** {@code attrs} checked against this op's schema (already-bound attrs pass through). */
    Attrs bind(Attrs attrs) {
        if (attrs.op() == this) return attrs;
        if (attrs == Attrs.NONE && attributesOptional) return noAttrs;
        if (attrs.op() != null) throw new IllegalArgumentException("attributes of " + attrs.op().name() + " passed to " + name());
        return Attrs.bind(this, attrs.values());
    }

    /** Checks the number of tensor inputs (n-ary ops take one or more). */
    void checkInputs(Tensor[] inputs) {
        if (nary ? inputs.length == 0 : inputs.length != inputCount) {
            throw new IllegalArgumentException(name() + "() takes " + (nary ? "one or more" : String.valueOf(inputCount))
                    + " tensor input(s) (" + schema + ") but got " + inputs.length);
        }
    }

    /** Runs the forward directly, bypassing autograd (what the autograd engine calls). */
    public Tensor[] forward(Tensor[] inputs, Attrs attrs) { return forward.apply(inputs, attrs); }

    /** Dispatches through the kernel (and autograd, when installed). */
    public Tensor[] call(Tensor[] inputs, Attrs attrs) { return Dispatcher.dispatch(this, inputs, attrs); }

    public Tensor call1(Attrs attrs, Tensor... inputs) { return Dispatcher.dispatch(this, inputs, attrs)[0]; }

    @Override
    public String toString() { return name(); }
}
