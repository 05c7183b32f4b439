package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.spi.Window2d;
import dev.kindling.kernel.tensor.Shapes;

import java.util.Arrays;

import static dev.kindling.kernel.ops.Kernels.*;
import static dev.kindling.kernel.ops.ViewKernels.*;

/**
 * Forwards of the sliding-window ops (im2col, col2im, max pooling) and constant padding.
 * Forwards call each other directly (never through the dispatcher), so an op's internals are not recorded by
 * autograd.
 */
final class WindowKernels {
    private WindowKernels() {}

    private static void checkWindowInput(DenseTensor x, String op, int rank) {
        if (x.dim() != rank) {
            throw new IllegalArgumentException(op + ": expected a " + rank + "-d input, got input of size: " + Shapes.str(x.shapeRef()));
        }
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("\"" + op + "\" not implemented for '" + torchTypeName(x.dtype()) + "': it needs a floating dtype");
        }
    }

    static DenseTensor im2col(DenseTensor x, Window2d w) {
        checkWindowInput(x, "im2col", 4);
        long[] s = x.shapeRef();
        if (w.oh() != Window2d.outputSize(s[2], w.kh(), w.sh(), w.ph(), w.dh()) || w.ow() != Window2d.outputSize(s[3], w.kw(), w.sw(), w.pw(), w.dw())) {
            throw new IllegalArgumentException("im2col: window " + w + " does not fit input of size " + Shapes.str(s));
        }
        // laid out [C*kh*kw, N, oh*ow] in memory: convolution multiplies the weight by all samples' columns in one product
        long k = s[1] * w.kh() * w.kw(), l = (long) w.oh() * w.ow();
        DenseTensor out = x.newTensorStrided(x.dtype(), new long[] {s[0], k, l}, new long[] {l, s[0] * l, 1});
        if (out.numel() > 0) x.backend().im2col(x.view(), w, out.view());
        return out;
    }

    static DenseTensor col2im(DenseTensor cols, Window2d w, long h, long width) {
        checkWindowInput(cols, "col2im", 3);
        long[] s = cols.shapeRef();
        long k = (long) w.kh() * w.kw();
        if (s[1] % k != 0 || s[2] != (long) w.oh() * w.ow() || w.oh() != Window2d.outputSize(h, w.kh(), w.sh(), w.ph(), w.dh())
                || w.ow() != Window2d.outputSize(width, w.kw(), w.sw(), w.pw(), w.dw())) {
            throw new IllegalArgumentException("col2im: columns of size " + Shapes.str(s) + " do not match window " + w + " over output " + h + "x" + width
                    + " (expected [N, C*" + k + ", " + (long) w.oh() * w.ow() + "])");
        }
        DenseTensor out = cols.newTensor(cols.dtype(), new long[] {s[0], s[1] / k, h, width});
        if (cols.numel() > 0) cols.backend().col2im(cols.view(), w, out.view());
        return out;
    }

    static Tensor[] maxPool2d(DenseTensor x, Window2d w) {
        checkWindowInput(x, "max_pool2d", 4);
        long[] s = x.shapeRef();
        long[] shape = {s[0], s[1], w.oh(), w.ow()};
        DenseTensor values = x.newTensor(x.dtype(), shape);
        DenseTensor indices = x.newTensor(DType.INT64, shape);
        if (values.numel() > 0) x.backend().maxPool2d(x.view(), w, values.view(), indices.view());
        return new Tensor[] {values, indices};
    }

    /** conv2d's product with its columns, {@code weight [O, k] @ columns [N, k, L]} (+ bias) as {@code [N, O, height, width]}. */
    static DenseTensor conv2dColumns(DenseTensor columns, DenseTensor weight, DenseTensor bias, long height, long width) {
        checkWindowInput(columns, "conv2d", 3);
        long[] s = columns.shapeRef();
        if (weight.dim() != 2 || weight.shapeRef()[1] != s[1]) {
            throw new IllegalArgumentException("conv2d: columns of size " + Shapes.str(s) + " need a weight of size [C_out, " + s[1]
                    + "], got " + Shapes.str(weight.shapeRef()));
        }
        if (height < 0 || width < 0 || height * width != s[2]) {
            throw new IllegalArgumentException("conv2d: columns of size " + Shapes.str(s) + " do not hold " + height + " x " + width
                    + " output positions");
        }
        weight = sameBackend(columns, weight, "conv2d");
        long out = weight.shapeRef()[0];
        if (weight.dtype() != columns.dtype()) {
            throw new IllegalArgumentException("conv2d: input type (" + columns.dtype().torchName() + ") and weight type ("
                    + weight.dtype().torchName() + ") should be the same");
        }
        if (bias != null) {
            bias = sameBackend(columns, bias, "conv2d");
            if (bias.dim() != 1 || bias.shapeRef()[0] != out) {
                throw new IllegalArgumentException("conv2d: a weight of size " + Shapes.str(weight.shapeRef()) + " needs a bias of size ["
                        + out + "], got " + Shapes.str(bias.shapeRef()));
            }
            if (bias.dtype() != columns.dtype()) {
                throw new IllegalArgumentException("conv2d: input type (" + columns.dtype().torchName() + ") and bias type ("
                        + bias.dtype().torchName() + ") should be the same");
            }
        }
        DenseTensor y = columns.newTensor(columns.dtype(), new long[] {s[0], out, height, width});
        if (y.numel() > 0) columns.backend().conv2dColumns(columns.view(), weight.view(), bias == null ? null : bias.view(), y.view());
        return y;
    }

    /** {@code _conv2d_im2col}: conv2d's output and the columns it multiplied. */
    static Tensor[] conv2dIm2col(DenseTensor x, DenseTensor weight, DenseTensor bias, Window2d w) {
        checkWindowInput(x, "_conv2d_im2col", 4);
        weight = sameBackend(x, weight, "_conv2d_im2col");
        long[] ws = weight.shapeRef();
        if (weight.dim() != 4 || ws[1] != x.shapeRef()[1] || ws[2] != w.kh() || ws[3] != w.kw()) {
            throw new IllegalArgumentException("_conv2d_im2col: an input of size " + Shapes.str(x.shapeRef()) + " and window " + w + " need a weight of size [C_out, "
                    + x.shapeRef()[1] + ", " + w.kh() + ", " + w.kw() + "], got " + Shapes.str(ws));
        }
        DenseTensor cols = im2col(x, w);
        DenseTensor y = conv2dColumns(cols, reshape(weight, new long[] {ws[0], ws[1] * ws[2] * ws[3]}), bias, w.oh(), w.ow());
        return new Tensor[] {y, cols};
    }

    /** {@code _conv2d_backward_input}: the input's gradient, col2im(weight^T @ grad). */
    static DenseTensor conv2dBackwardInput(DenseTensor grad, DenseTensor weight, Window2d w, long height, long width) {
        String op = "_conv2d_backward_input";
        checkWindowInput(grad, op, 4);
        weight = sameBackend(grad, weight, op);
        long[] g = grad.shapeRef(), ws = weight.shapeRef();
        if (weight.dim() != 4 || ws[0] != g[1] || ws[2] != w.kh() || ws[3] != w.kw()) {
            throw new IllegalArgumentException(op + ": a gradient of size " + Shapes.str(g) + " and window " + w + " need a weight of size [" + g[1] + ", C, "
                    + w.kh() + ", " + w.kw() + "], got " + Shapes.str(ws));
        }
        if (g[2] != w.oh() || g[3] != w.ow() || w.oh() != Window2d.outputSize(height, w.kh(), w.sh(), w.ph(), w.dh())
                || w.ow() != Window2d.outputSize(width, w.kw(), w.sw(), w.pw(), w.dw())) {
            throw new IllegalArgumentException(op + ": a gradient of size " + Shapes.str(g) + " does not match window " + w + " over an input of " + height + "x" + width);
        }
        sameDTypes(grad, weight, op, "weight");
        DenseTensor out = grad.newTensor(grad.dtype(), new long[] {g[0], ws[1], height, width});
        if (grad.numel() > 0 && out.numel() > 0) {
            DenseTensor w2 = reshape(weight, new long[] {ws[0], ws[1] * ws[2] * ws[3]});
            grad.backend().conv2dBackwardInput(grad.view(), w2.view(), w, out.view());
        }
        return out;
    }

    /** {@code _conv2d_columns_backward_weight}: the weight's gradient over all samples. */
    static DenseTensor conv2dColumnsBackwardWeight(DenseTensor grad, DenseTensor columns) {
        String op = "_conv2d_columns_backward_weight";
        checkWindowInput(grad, op, 4);
        columns = sameBackend(grad, columns, op);
        long[] g = grad.shapeRef(), c = columns.shapeRef();
        if (columns.dim() != 3 || c[0] != g[0] || c[2] != g[2] * g[3]) {
            throw new IllegalArgumentException(op + ": a gradient of size " + Shapes.str(g) + " needs columns of size [" + g[0] + ", k, "
                    + g[2] * g[3] + "], got " + Shapes.str(c));
        }
        sameDTypes(grad, columns, op, "columns");
        DenseTensor out = grad.newTensor(grad.dtype(), new long[] {g[1], c[1]});
        if (out.numel() == 0) return out;
        if (columns.numel() == 0) grad.backend().fill(out.view(), 0);
        else grad.backend().conv2dColumnsBackwardWeight(grad.view(), columns.view(), out.view());
        return out;
    }

    private static void sameDTypes(DenseTensor grad, DenseTensor other, String op, String what) {
        if (other.dtype() != grad.dtype()) {
            throw new IllegalArgumentException(op + ": gradient type (" + grad.dtype().torchName() + ") and " + what + " type ("
                    + other.dtype().torchName() + ") should be the same");
        }
    }

    static DenseTensor maxPool2dBackward(DenseTensor grad, DenseTensor indices, long[] inputSize) {
        if (inputSize.length != 4) {
            throw new IllegalArgumentException("max_pool2d_with_indices_backward: expected a 4-d input size, got " + Shapes.str(inputSize));
        }
        if (grad.dim() != 4 || !Arrays.equals(grad.shapeRef(), indices.shapeRef()) || grad.shapeRef()[0] != inputSize[0]
                || grad.shapeRef()[1] != inputSize[1]) {
            throw new IllegalArgumentException("max_pool2d_with_indices_backward: gradient of size " + Shapes.str(grad.shapeRef()) + " and indices of size "
                    + Shapes.str(indices.shapeRef()) + " do not match an input of size " + Shapes.str(inputSize));
        }
        if (indices.dtype() != DType.INT64) throw new IllegalArgumentException("max_pool2d_with_indices_backward: indices must be int64, got " + indices.dtype());
        if (!grad.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("\"max_pool2d_with_indices_backward\" not implemented for '" + torchTypeName(grad.dtype()) + "'");
        }
        indices = sameBackend(grad, indices, "max_pool2d_with_indices_backward");
        DenseTensor out = grad.newTensor(grad.dtype(), inputSize.clone());
        if (grad.numel() > 0) grad.backend().maxPool2dBackward(grad.view(), indices.view(), out.view());
        return out;
    }

    static DenseTensor constantPad(DenseTensor x, long[] pad, double value) {
        if (pad.length % 2 != 0) throw new IllegalArgumentException("Padding length must be divisible by 2");
        if (pad.length / 2 > x.dim()) {
            throw new IllegalArgumentException("Padding length too large: " + pad.length + " values pad " + pad.length / 2
                    + " dimensions of a " + x.dim() + "-D tensor");
        }
        long[] shape = x.shapeRef().clone();
        DenseTensor src = x;
        long[] dstStart = new long[shape.length];
        for (int i = 0; i < pad.length / 2; i++) {
            int d = shape.length - 1 - i;
            long left = pad[2 * i];
            long right = pad[2 * i + 1];
            long size = shape[d] + left + right;
            if (size < 0) {
                throw new IllegalArgumentException("The input size " + shape[d] + ", plus negative padding " + left + " and " + right
                        + " resulted in a negative output size, which is invalid. Check dimension " + d + " of your input.");
            }
            // negative amounts crop the source; positive ones offset it in the output
            long cropL = Math.max(0, -left);
            long cropR = Math.max(0, -right);
            src = slice(src, d, cropL, Math.max(cropL, x.shapeRef()[d] - cropR), 1);
            dstStart[d] = Math.max(0, left);
            shape[d] = size;
        }
        DenseTensor out = x.newTensor(x.dtype(), shape);
        if (value != 0) x.backend().fill(out.view(), value);
        if (src.numel() > 0) {
            DenseTensor dst = out;
            for (int d = 0; d < shape.length; d++) dst = slice(dst, d, dstStart[d], dstStart[d] + src.shapeRef()[d], 1);
            x.backend().copy(src.view(), dst.view());
        }
        return out;
    }
}
