package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/** Elementwise ops: arithmetic, comparisons, logic, unary math, activations, Cast, Where, Clip. */
public final class ElementwiseOps {
    private ElementwiseOps() {}

    public static void register(OpTable t) {
        binary(t, "Add", Tensor::add);
        binary(t, "Sub", Tensor::sub);
        binary(t, "Mul", Tensor::mul);
        binary(t, "Div", ElementwiseOps::div);
        t.put("Pow", c -> {
            Tensor x = c.in(0), y = c.in(1);
            // ONNX keeps the base's type (an int base with a float exponent stays int)
            return one(x.pow(y).to(x.dtype()));
        });
        t.put("Mod", c -> {
            Tensor a = c.in(0), b = c.in(1);
            if (c.i("fmod", 0) != 0) {
                // C fmod: the sign of the dividend
                Tensor q = a.dtype().isFloatingPoint() ? a.div(b).trunc() : a.div(b).trunc().to(a.dtype());
                return one(a.sub(q.mul(b)));
            }
            return one(a.remainder(b));
        });
        t.put("PRelu", c -> {
            Tensor x = c.in(0), slope = c.in(1);
            if (c.opset() < 7 && slope.dim() == 1 && x.dim() > 2 && slope.size(0) == x.size(1)) {
                // before opset 7 a 1-D slope was per channel (axis 1), not numpy-broadcast against the last axis
                long[] s = new long[x.dim() - 1];
                java.util.Arrays.fill(s, 1);
                s[0] = slope.size(0);
                slope = slope.reshape(s);
            }
            return one(Torch.where(x.lt(0.0), x.mul(slope), x));
        });
        binary(t, "Equal", Tensor::eq);
        binary(t, "Less", Tensor::lt);
        binary(t, "Greater", Tensor::gt);
        binary(t, "LessOrEqual", Tensor::le);
        binary(t, "GreaterOrEqual", Tensor::ge);
        binary(t, "And", Tensor::logicalAnd);
        binary(t, "Or", Tensor::logicalOr);
        binary(t, "Xor", Tensor::logicalXor);

        variadic(t, "Max", Tensor::maximum);
        variadic(t, "Min", Tensor::minimum);
        variadic(t, "Sum", Tensor::add);
        t.put("Mean", c -> {
            Tensor[] xs = c.all();
            Tensor s = xs[0];
            for (int i = 1; i < xs.length; i++) s = s.add(xs[i]);
            return one(s.div((double) xs.length).to(xs[0].dtype()));
        });

        unary(t, "Neg", Tensor::neg);
        unary(t, "Abs", Tensor::abs);
        unary(t, "Sign", Tensor::sign);
        unary(t, "Exp", Tensor::exp);
        unary(t, "Log", Tensor::log);
        unary(t, "Sqrt", Tensor::sqrt);
        unary(t, "Reciprocal", Tensor::reciprocal);
        unary(t, "Sin", Tensor::sin);
        unary(t, "Cos", Tensor::cos);
        unary(t, "Tan", Tensor::tan);
        unary(t, "Asin", Tensor::asin);
        unary(t, "Acos", Tensor::acos);
        unary(t, "Atan", Tensor::atan);
        unary(t, "Sinh", Tensor::sinh);
        unary(t, "Cosh", Tensor::cosh);
        unary(t, "Tanh", Tensor::tanh);
        unary(t, "Asinh", x -> x.add(x.square().add(1.0).sqrt()).log());
        unary(t, "Acosh", x -> x.add(x.square().sub(1.0).sqrt()).log());
        unary(t, "Atanh", x -> x.add(1.0).div(x.neg().add(1.0)).log().mul(0.5));
        unary(t, "Erf", Tensor::erf);
        unary(t, "Floor", Tensor::floor);
        unary(t, "Ceil", Tensor::ceil);
        unary(t, "Round", Tensor::round);
        unary(t, "Relu", Tensor::relu);
        unary(t, "Sigmoid", Tensor::sigmoid);
        unary(t, "Not", Tensor::logicalNot);
        unary(t, "IsNaN", Tensor::isnan);
        unary(t, "Softsign", x -> x.div(x.abs().add(1.0)));
        unary(t, "Softplus", ElementwiseOps::softplus);
        unary(t, "Mish", x -> x.mul(softplus(x).tanh()));
        t.put("Identity", c -> {
            Object v = c.raw(0); // tensors, sequences and optionals alike
            if (v == null) throw c.error("input 0 is required but missing");
            return new Object[] {v};
        });
        t.put("IsInf", c -> {
            Tensor x = c.in(0);
            boolean pos = c.i("detect_positive", 1) != 0, neg = c.i("detect_negative", 1) != 0;
            Tensor inf = x.isinf();
            if (pos && neg) return one(inf);
            if (!pos && !neg) return one(inf.logicalAnd(inf.logicalNot()));
            return one(inf.logicalAnd(pos ? x.gt(0.0) : x.lt(0.0)));
        });

        t.put("LeakyRelu", c -> {
            Tensor x = c.in(0);
            double a = c.f("alpha", 0.01f);
            return one(Torch.where(x.lt(0.0), x.mul(a), x));
        });
        t.put("HardSigmoid", c -> one(hardSigmoid(c.in(0), c.f("alpha", 0.2f), c.f("beta", 0.5f))));
        unary(t, "HardSwish", x -> x.mul(hardSigmoid(x, 1.0 / 6, 0.5)));
        t.put("Elu", c -> one(elu(c.in(0), c.f("alpha", 1f))));
        t.put("Celu", c -> {
            Tensor x = c.in(0);
            double a = c.f("alpha", 1f);
            return one(x.relu().add(x.div(a).exp().sub(1.0).mul(a).clampMax(0.0)));
        });
        t.put("Selu", c -> {
            double a = c.f("alpha", 1.67326319217681884765625f), g = c.f("gamma", 1.05070102214813232421875f);
            return one(elu(c.in(0), a).mul(g));
        });
        t.put("ThresholdedRelu", c -> {
            Tensor x = c.in(0);
            return one(x.where(x.gt((double) c.f("alpha", 1f)), 0.0));
        });
        t.put("Shrink", c -> {
            Tensor x = c.in(0);
            double bias = c.f("bias", 0f), lambd = c.f("lambd", 0.5f);
            Tensor zero = Torch.zerosLike(x);
            Tensor r = Torch.where(x.lt(-lambd), x.add(bias), Torch.where(x.gt(lambd), x.sub(bias), zero));
            return one(r.to(x.dtype()));
        });
        t.put("Gelu", c -> {
            String approx = c.s("approximate", "none");
            if (!approx.equals("none") && !approx.equals("tanh")) throw c.error("approximate must be 'none' or 'tanh', got '" + approx + "'");
            return one(dev.kindling.nn.functional.F.gelu(c.in(0), approx));
        });

        t.put("Swish", c -> {
            Tensor x = c.in(0);
            return one(x.mul(x.mul((double) c.f("alpha", 1f)).sigmoid()));
        });
        t.put("SwiGLU", c -> {
            Tensor a = c.in(0), b = c.in(1);
            if (!java.util.Arrays.equals(a.shape(), b.shape())) throw c.error("A and B must have one shape (no broadcasting)");
            return one(a.mul(a.mul((double) c.f("alpha", 1f)).sigmoid()).mul(b));
        });
        t.put("BitShift", c -> {
            boolean left = c.s("direction", "").equals("LEFT");
            if (!left && !c.s("direction", "").equals("RIGHT")) throw c.error("direction must be LEFT or RIGHT");
            Tensor x = c.in(0);
            DType dt = x.dtype();
            int width = dt == DType.INT8 || dt == DType.UINT8 ? 8 : dt == DType.INT32 ? 32 : 64;
            // shifts outside [0, width) give 0, or -1 for a negative value shifted right (arithmetic shift)
            return one(integerOp(c, x, c.in(1), (a, b) -> b < 0 || b >= width ? (!left && a < 0 ? -1 : 0) : left ? a << b : a >> b));
        });
        t.put("BitwiseAnd", c -> one(integerOp(c, c.in(0), c.in(1), (a, b) -> a & b)));
        t.put("BitwiseOr", c -> one(integerOp(c, c.in(0), c.in(1), (a, b) -> a | b)));
        t.put("BitwiseXor", c -> one(integerOp(c, c.in(0), c.in(1), (a, b) -> a ^ b)));
        t.put("BitwiseNot", c -> one(integerOp(c, c.in(0), c.in(0), (a, b) -> ~a)));
        t.put("Clip", ElementwiseOps::clip);
        t.put("Where", c -> one(Torch.where(c.in(0), c.in(1), c.in(2))));
        t.put("Cast", c -> {
            if (c.has("saturate") && c.i("saturate", 1) != 1) throw c.error("saturate=0 applies to float8 types, which are not supported");
            // before opset 6 the target type was a string ("FLOAT"), then the TensorProto type code
            DType to = c.opset() < 6 && c.has("to") && !c.hasInt("to") ? legacyType(c, c.s("to", "")) : Util.dtype(c, c.i("to", 0));
            return one(cast(c.in(0), to));
        });
        t.put("CastLike", c -> one(cast(c.in(0), c.in(1).dtype())));
        t.put("BitCast", ElementwiseOps::bitCast);
    }

    /**
     * Bit operations, which Kindling has no kernels for: computed on the host over the broadcast operands, in 64-bit
     * longs, wrapped back to the operand type (uint8 masks to 8 bits; uint16/32 are held widened in int32/int64, so
     * their complement and shifts past their width are not those of the narrow type).
     */
    private static Tensor integerOp(OpContext c, Tensor a, Tensor b, java.util.function.LongBinaryOperator f) {
        if (!a.dtype().isIntegral() || a.dtype() != b.dtype()) throw c.error("needs two integer inputs of one type, got " + a.dtype().torchName() + " and " + b.dtype().torchName());
        long[] shape = Util.broadcast(c, a.shape(), b.shape());
        c.checkAlloc(shape);
        long[] x = a.expand(shape).contiguous().toLongArray(), y = b.expand(shape).contiguous().toLongArray();
        long mask = a.dtype() == DType.UINT8 ? 0xff : -1L;
        long[] r = new long[x.length];
        for (int i = 0; i < r.length; i++) r[i] = f.applyAsLong(x[i] & mask, y[i] & mask) & mask;
        if (a.dtype() == DType.INT8) for (int i = 0; i < r.length; i++) r[i] = (byte) r[i];
        if (a.dtype() == DType.INT32) for (int i = 0; i < r.length; i++) r[i] = (int) r[i];
        return Torch.tensor(r, a.dtype(), shape).to(a.device());
    }

    /**
     * BitCast: the same bits read as another type of the same width. Types held widened (int16/uint16 in int32,
     * uint32 in int64) are narrowed to the target's width first, so uint16 to int16 and uint32 to int32 work.
     */
    private static Tensor[] bitCast(OpContext c) {
        Tensor x = c.in(0);
        int code = (int) c.i("to", 0);
        DType to = Util.dtype(c, code);
        int width;
        switch (code) {
            case 2: case 3: case 9: width = 8; break;            // uint8, int8, bool
            case 4: case 5: width = 16; break;                    // uint16, int16
            case 1: case 6: case 12: width = 32; break;           // float, int32, uint32
            case 7: case 11: case 13: width = 64; break;          // int64, double, uint64
            default: throw c.error("BitCast to type " + code + " is not supported");
        }
        DType from = x.dtype();
        int fromWidth = from == DType.FLOAT32 ? 32 : from == DType.FLOAT64 ? 64 : from.itemSize() * 8;
        boolean narrowed = (from == DType.INT32 && width == 16) || (from == DType.INT64 && width == 32);
        if (fromWidth != width && !narrowed) throw c.error("BitCast needs types of one width: " + from.torchName() + " has " + fromWidth + " bits, the target " + width);
        long[] bits;
        if (from == DType.FLOAT32) {
            float[] f = x.toFloatArray();
            bits = new long[f.length];
            for (int i = 0; i < f.length; i++) bits[i] = Float.floatToRawIntBits(f[i]);
        } else if (from == DType.FLOAT64) {
            double[] d = x.toDoubleArray();
            bits = new long[d.length];
            for (int i = 0; i < d.length; i++) bits[i] = Double.doubleToRawLongBits(d[i]);
        } else if (from.isFloatingPoint()) {
            throw c.error("BitCast from " + from.torchName() + " is not supported");
        } else {
            bits = x.toLongArray();
        }
        long mask = width == 64 ? -1L : (1L << width) - 1;
        Object out;
        switch (code) {
            case 1: { float[] f = new float[bits.length]; for (int i = 0; i < f.length; i++) f[i] = Float.intBitsToFloat((int) bits[i]); out = f; break; }
            case 11: { double[] d = new double[bits.length]; for (int i = 0; i < d.length; i++) d[i] = Double.longBitsToDouble(bits[i]); out = d; break; }
            case 9: { boolean[] b = new boolean[bits.length]; for (int i = 0; i < b.length; i++) b[i] = (bits[i] & mask) != 0; out = b; break; }
            default: {
                boolean signed = code == 3 || code == 5 || code == 6 || code == 7;
                long[] v = new long[bits.length];
                for (int i = 0; i < v.length; i++) {
                    long u = bits[i] & mask;
                    v[i] = signed && width < 64 && (u & (1L << (width - 1))) != 0 ? u - (1L << width) : u;
                }
                out = v;
            }
        }
        return one(Torch.tensor(out, to, x.shape()).to(x.device()));
    }

    static Tensor cast(Tensor x, DType to) {
        if (x.dtype() == to) return x;
        // ONNX casts floats to integers by truncation toward zero, NaN to 0 is unspecified
        if (x.dtype().isFloatingPoint() && to.isIntegral()) return x.trunc().to(to);
        return x.to(to);
    }

    private static Tensor div(Tensor a, Tensor b) {
        if (a.dtype().isFloatingPoint() || b.dtype().isFloatingPoint()) return a.div(b);
        return a.div(b).trunc().to(DType.promote(a.dtype(), b.dtype())); // integer division truncates, as C does
    }

    static Tensor softplus(Tensor x) {
        // log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|)
        return x.relu().add(x.abs().neg().exp().log1p());
    }

    static Tensor hardSigmoid(Tensor x, double alpha, double beta) {
        return x.mul(alpha).add(beta).clamp(0.0, 1.0).to(x.dtype());
    }

    static Tensor elu(Tensor x, double alpha) {
        return Torch.where(x.lt(0.0), x.expm1().mul(alpha), x);
    }

    private static Tensor[] clip(OpContext c) {
        Tensor x = c.in(0);
        Tensor lo, hi;
        if (c.opset() < 11) {
            lo = c.has("min") ? OpContext.scalarLike(c.f("min", 0f), x) : null;
            hi = c.has("max") ? OpContext.scalarLike(c.f("max", 0f), x) : null;
        } else {
            lo = c.opt(1);
            hi = c.opt(2);
        }
        if (lo != null) x = x.maximum(lo.to(x.dtype()));
        if (hi != null) x = x.minimum(hi.to(x.dtype()));
        return one(x);
    }

    private static void unary(OpTable t, String name, UnaryOperator<Tensor> f) {
        t.put(name, c -> one(f.apply(c.in(0))));
    }

    private static void binary(OpTable t, String name, BinaryOperator<Tensor> f) {
        t.put(name, c -> one(f.apply(c.in(0), legacyBroadcast(c, c.in(0), c.in(1)))));
    }

    /**
     * Before opset 7, {@code broadcast=1} with {@code axis} aligned B with A starting at that axis (B of shape [C]
     * against A [N, C, H, W] at axis 1), not from the right as numpy does: B gets trailing 1s to say so.
     */
    private static Tensor legacyBroadcast(OpContext c, Tensor a, Tensor b) {
        if (c.opset() >= 7 || c.i("broadcast", 0) == 0 || !c.has("axis")) return b;
        int axis = c.axis(c.i("axis", 0), a.dim());
        int trailing = a.dim() - axis - b.dim();
        if (trailing < 0) throw c.error("B of rank " + b.dim() + " does not fit A of rank " + a.dim() + " at axis " + axis);
        long[] s = java.util.Arrays.copyOf(b.shape(), b.dim() + trailing);
        java.util.Arrays.fill(s, b.dim(), s.length, 1);
        return b.reshape(s);
    }

    private static DType legacyType(OpContext c, String name) {
        switch (name) {
            case "FLOAT": return DType.FLOAT32;
            case "DOUBLE": return DType.FLOAT64;
            case "FLOAT16": return DType.FLOAT16;
            case "INT8": return DType.INT8;
            case "UINT8": return DType.UINT8;
            case "INT16": case "UINT16": case "INT32": return DType.INT32;
            case "INT64": case "UINT32": case "UINT64": return DType.INT64;
            case "BOOL": return DType.BOOL;
            default: throw c.error("Cast to '" + name + "' is not supported");
        }
    }

    private static void variadic(OpTable t, String name, BinaryOperator<Tensor> f) {
        t.put(name, c -> {
            Tensor[] xs = c.all();
            if (xs.length == 0) throw c.error("needs at least one input");
            Tensor r = xs[0];
            for (int i = 1; i < xs.length; i++) r = f.apply(r, xs[i]);
            return one(r);
        });
    }
}
