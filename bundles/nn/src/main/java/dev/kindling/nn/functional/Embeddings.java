package dev.kindling.nn.functional;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.util.Arrays;

/** {@link F}'s index-based layers: embedding lookup and the non-constant padding modes (built on index_select). */
final class Embeddings {
    private Embeddings() {}

    static Tensor embedding(Tensor input, Tensor weight, Long paddingIdx) {
        if (input.dtype() != DType.INT64 && input.dtype() != DType.INT32) {
            throw new IllegalArgumentException("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got "
                    + input.dtype().torchName() + " instead (while checking arguments for embedding)");
        }
        if (weight.dim() != 2) throw new IllegalArgumentException("'weight' must be 2-D");
        long[] outShape = Arrays.copyOf(input.shape(), input.dim() + 1);
        outShape[input.dim()] = weight.size(1);
        Tensor rows = weight.indexSelect(0, input.reshape(-1).toLong()).view(outShape);
        if (paddingIdx == null) return rows;
        // The forward value stays weight[paddingIdx]; its gradient is cut as PyTorch's embedding_backward does.
        long pad = paddingIdx < 0 ? paddingIdx + weight.size(0) : paddingIdx;
        return Torch.where(input.ne((double) pad).unsqueeze(-1), rows, rows.detach());
    }

    static Tensor pad(Tensor x, long[] pad, String mode, double value) {
        if (pad.length % 2 != 0) throw new IllegalArgumentException("Padding length must be divisible by 2");
        if (pad.length / 2 > x.dim()) throw new IllegalArgumentException("Padding length too large");
        switch (mode) {
            case "constant":
                return x.pad(pad, value);
            case "reflect": case "replicate": case "circular": {
                Tensor y = x;
                for (int i = 0; i < pad.length / 2; i++) y = indexPad(y, x.dim() - 1 - i, pad[2 * i], pad[2 * i + 1], mode);
                return y;
            }
            default:
                throw new IllegalArgumentException("Unrecognised padding mode " + mode);
        }
    }

    private static Tensor indexPad(Tensor x, int dim, long before, long after, String mode) {
        long n = x.size(dim);
        if (mode.equals("reflect") && (before >= n || after >= n)) {
            throw new IllegalArgumentException("Argument #4: Padding size should be less than the corresponding input dimension, but got: padding ("
                    + before + ", " + after + ") at dimension " + dim + " of input " + Arrays.toString(x.shape()));
        }
        if (mode.equals("circular") && (before > n || after > n)) {
            throw new IllegalArgumentException("Padding value causes wrapping around more than once.");
        }
        long[] idx = new long[(int) (n + before + after)];
        for (int o = 0; o < idx.length; o++) {
            long i = o - before;
            switch (mode) {
                case "reflect": idx[o] = i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i); break;
                case "replicate": idx[o] = Math.max(0, Math.min(n - 1, i)); break;
                default: idx[o] = Math.floorMod(i, n); break;
            }
        }
        return x.indexSelect(dim, Torch.tensor(idx).to(x.device()));
    }
}
