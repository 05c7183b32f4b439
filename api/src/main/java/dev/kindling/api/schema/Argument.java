package dev.kindling.api.schema;

/**
 * One argument of an op: a tensor input or an attribute (a dim, a scalar, a flag). {@code type} is the schema's type
 * name ({@code Tensor}, {@code Tensor[]}, {@code int}, {@code long}, {@code double}, {@code boolean}, {@code int[]},
 * {@code long[]}, {@code str} (a Java String; its default literal is quoted: {@code 'reduced'}), {@code DType}, {@code Device}, {@code Window2d}); {@code defaultValue} is the schema's literal, or
 * null when the argument has none.
 */
public record Argument(String name, String type, boolean nullable, String defaultValue) {
    public boolean isTensor() { return type.equals("Tensor") || type.equals("Tensor[]"); }

    public boolean hasDefault() { return defaultValue != null; }

    @Override
    public String toString() {
        return type + (nullable ? "?" : "") + " " + name + (defaultValue != null ? " = " + defaultValue : "");
    }
}
