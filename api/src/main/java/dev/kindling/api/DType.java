package dev.kindling.api;

/** Element types, as PyTorch's {@code torch.dtype}. FLOAT32 is the default floating type. */
public enum DType {
    FLOAT32("float32", 4, Kind.FLOATING),
    FLOAT64("float64", 8, Kind.FLOATING),
    FLOAT16("float16", 2, Kind.FLOATING),
    BFLOAT16("bfloat16", 2, Kind.FLOATING),
    INT64("int64", 8, Kind.INTEGRAL),
    INT32("int32", 4, Kind.INTEGRAL),
    INT8("int8", 1, Kind.INTEGRAL),
    UINT8("uint8", 1, Kind.INTEGRAL),
    BOOL("bool", 1, Kind.BOOLEAN);

    /** Promotion category: bool &lt; integral &lt; floating. */
    public enum Kind { BOOLEAN, INTEGRAL, FLOATING }

    private final String torchName;
    private final int itemSize;
    private final Kind kind;

    DType(String torchName, int itemSize, Kind kind) {
        this.torchName = torchName;
        this.itemSize = itemSize;
        this.kind = kind;
    }

    /** The default floating dtype ({@code torch.get_default_dtype()}). */
    public static DType defaultFloat() { return FLOAT32; }

    public boolean isFloatingPoint() { return kind == Kind.FLOATING; }

    public boolean isIntegral() { return kind == Kind.INTEGRAL; }

    public boolean isBool() { return kind == Kind.BOOLEAN; }

    public Kind kind() { return kind; }

    /** Bytes per element. */
    public int itemSize() { return itemSize; }

    /** PyTorch's short name: {@code float32}, {@code int64}, ... */
    public String torchName() { return torchName; }

    /** As PyTorch prints it: {@code torch.float32}. */
    @Override
    public String toString() { return "torch." + torchName; }

    /** Parses {@code float32}, {@code torch.float32}, {@code float}, {@code long}, {@code half}, ... */
    public static DType of(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        if (n.startsWith("torch.")) n = n.substring(6);
        switch (n) {
            case "float": return FLOAT32;
            case "double": return FLOAT64;
            case "half": return FLOAT16;
            case "long": return INT64;
            case "int": return INT32;
            default:
                for (DType d : values()) if (d.torchName.equals(n) || d.name().equalsIgnoreCase(n)) return d;
                throw new IllegalArgumentException("unknown dtype '" + name + "'; expected one of float32, float64, "
                        + "float16, bfloat16, int64, int32, int8, uint8, bool");
        }
    }

    /**
     * PyTorch's {@code torch.promote_types}: the smallest dtype both values fit in. uint8 with int8 gives int16 in
     * PyTorch; Kindling has no int16, so it widens to int32.
     */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a.kind != b.kind) return a.kind.ordinal() > b.kind.ordinal() ? a : b;
        if (a.kind == Kind.FLOATING && (a == FLOAT16 || a == BFLOAT16) && (b == FLOAT16 || b == BFLOAT16)) return FLOAT32;
        if (a.kind == Kind.INTEGRAL && a.itemSize == 1 && b.itemSize == 1) return INT32;
        return a.itemSize >= b.itemSize ? a : b;
    }
}
