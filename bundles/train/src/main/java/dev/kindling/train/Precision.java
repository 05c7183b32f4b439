package dev.kindling.train;

import dev.kindling.api.DType;

import java.util.Locale;

/**
 * How a {@link Trainer} runs forward passes (PyTorch Lightning's {@code precision}): in float32, or under autocast
 * with bfloat16 (no loss scaling: bfloat16 has float32's range) or float16 (with a {@code GradScaler}). Weights and
 * their gradients stay float32 either way.
 */
public enum Precision {
    FP32("32", null),
    BF16_MIXED("bf16-mixed", DType.BFLOAT16),
    FP16_MIXED("16-mixed", DType.FLOAT16);

    private final String flag;
    private final DType autocastDtype;

    Precision(String flag, DType autocastDtype) {
        this.flag = flag;
        this.autocastDtype = autocastDtype;
    }

    /** The dtype autocast runs listed ops in, or null for FP32. */
    public DType autocastDtype() { return autocastDtype; }

    /** Lightning's name: {@code 32}, {@code bf16-mixed}, {@code 16-mixed}. */
    public String flag() { return flag; }

    /** Parses Lightning's names and the obvious aliases: 32/fp32, bf16-mixed/bf16, 16-mixed/fp16-mixed/fp16. */
    public static Precision parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "32": case "fp32": case "32-true": case "float32": return FP32;
            case "bf16-mixed": case "bf16": case "bfloat16": return BF16_MIXED;
            case "16-mixed": case "fp16-mixed": case "fp16": case "16": case "float16": return FP16_MIXED;
            default: throw new IllegalArgumentException("unknown precision '" + s + "' (32, bf16-mixed or 16-mixed)");
        }
    }
}
