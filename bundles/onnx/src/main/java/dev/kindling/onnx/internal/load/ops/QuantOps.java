package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.Arrays;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/** Linear (de)quantisation to 8-bit (and, given output_dtype, 16-bit) integers, and the integer/QLinear products. */
public final class QuantOps {
    private QuantOps() {}

    public static void register(OpTable t) {
        registerInteger(t);
        t.put("QuantizeLinear", c -> {
            Tensor x = c.in(0), scale = c.in(1), zp = c.opt(2);
            Tensor s = perAxis(c, scale, x), z = zp == null ? null : perAxis(c, zp, x);
            Tensor q = x.div(s).round();
            if (z != null) q = q.add(z.to(q.dtype()));
            if (zp == null && c.has("output_dtype")) {
                // the attribute names the ONNX type exactly (int16 and uint16 are both held as int32)
                int code = (int) c.i("output_dtype", 2);
                double[] range = RANGES.get(code);
                if (range == null) throw c.error("output_dtype " + code + " is not a supported integer type");
                return one(q.clamp(range[0], range[1]).to(Util.dtype(c, code)));
            }
            return one(saturate(c, q, zp == null ? DType.UINT8 : zp.dtype()));
        });
        t.put("DequantizeLinear", c -> {
            Tensor x = c.in(0), scale = c.in(1), zp = c.opt(2);
            Tensor s = perAxis(c, scale, x);
            Tensor v = x.to(s.dtype());
            if (zp != null) v = v.sub(perAxis(c, zp, x).to(s.dtype()));
            return one(v.mul(s));
        });
        t.put("DynamicQuantizeLinear", c -> {
            Tensor x = c.in(0);
            double max = Math.max(0, x.max().item()), min = Math.min(0, x.min().item());
            double scale = (max - min) / 255;
            if (scale == 0) scale = 1; // an all-zero input: any scale quantises it to the zero point
            float s = (float) scale;
            double zpv = Math.max(0, Math.min(255, Math.rint(-min / s)));
            Tensor y = saturate(c, x.div((double) s).round().add(zpv), DType.UINT8);
            return new Tensor[] {y, OpContext.scalarOf(s, DType.FLOAT32, x), OpContext.scalarOf(zpv, DType.UINT8, x)};
        });
    }

    /** {@code v - zp} in float64 (exact for 8-bit data); {@code zp} scalar or per {@code axis} entry. */
    private static Tensor shifted(Tensor v, Tensor zp, int axis) {
        Tensor d = v.toDouble();
        if (zp == null) return d;
        return d.sub(along(zp.toDouble(), v.dim(), axis));
    }

    /** A scalar as is; a 1-D tensor shaped to lie along {@code axis} of a rank-{@code rank} tensor. */
    private static Tensor along(Tensor v, int rank, int axis) {
        if (v.numel() == 1) return v.reshape();
        long[] s = new long[rank];
        Arrays.fill(s, 1);
        s[axis] = v.numel();
        return v.reshape(s);
    }

    private static void registerInteger(OpTable t) {
        // (A - a_zp) @ (B - b_zp) in int32; a per-row A zero point, a per-column B zero point
        t.put("MatMulInteger", c -> {
            Tensor a = c.in(0), b = c.in(1);
            return one(shifted(a, c.opt(2), a.dim() - 2).matmul(shifted(b, c.opt(3), b.dim() - 1)).to(DType.INT32));
        });
        t.put("ConvInteger", c -> {
            Tensor x = c.in(0), w = c.in(1);
            return one(NnOps.conv(c, shifted(x, c.opt(2), 1), shifted(w, c.opt(3), 0), null).to(DType.INT32));
        });
        t.put("QLinearMatMul", c -> {
            Tensor a = c.in(0), b = c.in(3), yzp = c.opt(7);
            Tensor real = shifted(a, c.opt(2), a.dim() - 2).mul(along(c.in(1).toDouble(), a.dim(), a.dim() - 2))
                    .matmul(shifted(b, c.opt(5), b.dim() - 1).mul(along(c.in(4).toDouble(), b.dim(), b.dim() - 1)));
            return one(requantize(c, real, c.in(6), yzp, real.dim() - 1));
        });
        t.put("QLinearConv", c -> {
            Tensor x = c.in(0), w = c.in(3), bias = c.opt(8);
            Tensor xs = c.in(1).toDouble().reshape(), ws = along(c.in(4).toDouble(), w.dim(), 0);
            Tensor acc = NnOps.conv(c, shifted(x, c.opt(2), 1), shifted(w, c.opt(5), 0).mul(ws), null).mul(xs);
            if (bias != null) acc = acc.add(along(bias.toDouble().mul(xs).mul(c.in(4).toDouble().reshape(-1)), acc.dim(), 1));
            return one(requantize(c, acc, c.in(6), c.opt(7), 1));
        });
    }

    private static Tensor requantize(OpContext c, Tensor real, Tensor scale, Tensor zp, int axis) {
        Tensor q = real.div(along(scale.toDouble(), real.dim(), axis)).round();
        if (zp != null) q = q.add(along(zp.toDouble(), real.dim(), axis));
        return saturate(c, q, zp == null ? DType.UINT8 : zp.dtype());
    }

    /**
     * A scalar, a 1-D per-channel tensor laid along {@code axis} (default 1) of {@code x}, or with {@code block_size}
     * a tensor of x's rank holding one value per block of that many elements along the axis.
     */
    private static Tensor perAxis(OpContext c, Tensor v, Tensor x) {
        if (v.numel() == 1) return v.reshape();
        int axis = c.axis(c.i("axis", 1), x.dim());
        long block = c.i("block_size", 0);
        if (block > 0) {
            long n = x.size(axis);
            if (v.dim() != x.dim() || v.size(axis) != (n + block - 1) / block) throw c.error("blocked parameter " + Arrays.toString(v.shape()) + " does not fit blocks of " + block + " along axis " + axis + " of " + Arrays.toString(x.shape()));
            long[] wide = v.unsqueeze(axis + 1).shape();
            wide[axis + 1] = block;
            long[] merged = v.shape();
            merged[axis] *= block;
            return v.unsqueeze(axis + 1).expand(wide).reshape(merged).narrow(axis, 0, n);
        }
        if (v.dim() != 1 || v.size(0) != x.size(axis)) throw c.error("per-axis parameter " + Arrays.toString(v.shape()) + " does not match axis " + axis + " of " + Arrays.toString(x.shape()));
        long[] s = new long[x.dim()];
        Arrays.fill(s, 1);
        s[axis] = v.size(0);
        return v.reshape(s);
    }

    /** Saturation ranges by ONNX type code: uint8, int8, uint16, int16. */
    private static final java.util.Map<Integer, double[]> RANGES = java.util.Map.of(
            2, new double[] {0, 255}, 3, new double[] {-128, 127}, 4, new double[] {0, 65535}, 5, new double[] {-32768, 32767});

    private static Tensor saturate(OpContext c, Tensor q, DType to) {
        switch (to) {
            case UINT8: return q.clamp(0.0, 255.0).to(to);
            case INT8: return q.clamp(-128.0, 127.0).to(to);
            default: throw c.error("quantising to " + to.torchName() + " is not supported (uint8 and int8 are)");
        }
    }
}
