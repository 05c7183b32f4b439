package dev.kindling.nn.functional;

import dev.kindling.api.DType;
import dev.kindling.api.Generator;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.internal.Py;

import java.util.Arrays;

/** {@link F}'s dropout and normalisation layers. */
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
final class Normalization {
    private Normalization() {}

    static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + Py.repr(p));
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(Torch.zerosLike(x));
        Tensor noise;
        try (GradMode ignored = Torch.noGrad()) {
            noise = Torch.emptyLike(x).bernoulli_(1 - p, generator).div_(1 - p);
        }
        // PyTorch's fused native_dropout runs only on CUDA (NativeDropoutBackward0); on the CPU dropout is a product
        // (MulBackward0). Same values either way.
        return x.device().isCpu() ? x.mul(noise) : x.callOp("native_dropout", new Tensor[] {x, noise})[0];
    }

    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training,
            double momentum, double eps) {
        if (x.dim() < 2) throw new IllegalArgumentException("batch_norm expects an input of at least 2 dimensions [N, C, ...], got " + Arrays.toString(x.shape()));
        long c = x.size(1);
        long[] channelShape = new long[x.dim()];
        Arrays.fill(channelShape, 1);
        channelShape[1] = c;
        Tensor y;
        if (training) {
            long n = x.numel() / c;
            if (n == 1) throw new IllegalArgumentException("Expected more than 1 value per channel when training, got input size " + Py.size(x.shape()));
            int[] dims = new int[x.dim() - 1];
            dims[0] = 0;
            for (int d = 2; d < x.dim(); d++) dims[d - 1] = d;
            Tensor mean = x.mean(dims, true);
            Tensor centered = x.sub(mean);
            Tensor var = centered.square().mean(dims, true);
            y = centered.mul(var.add(eps).rsqrt());
            if (runningMean != null || runningVar != null) {
                try (GradMode ignored = Torch.noGrad()) {
                    if (runningMean != null) runningMean.copy_(mean.detach().view(c).mul(momentum).add(runningMean.mul(1 - momentum)));
                    if (runningVar != null) {
                        runningVar.copy_(var.detach().view(c).mul((double) n / (n - 1)).mul(momentum).add(runningVar.mul(1 - momentum)));
                    }
                }
            }
        } else {
            if (runningMean == null || runningVar == null) throw new IllegalArgumentException("batch_norm in evaluation needs running_mean and running_var");
            y = x.sub(runningMean.view(channelShape)).mul(runningVar.add(eps).rsqrt().view(channelShape));
        }
        if (weight != null) y = y.mul(weight.view(channelShape));
        if (bias != null) y = y.add(bias.view(channelShape));
        return y;
    }

    static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int k = normalizedShape.length;
        long[] shape = x.shape();
        boolean ok = k >= 1 && shape.length >= k;
        for (int i = 0; ok && i < k; i++) ok = shape[shape.length - k + i] == normalizedShape[i];
        if (!ok) {
            throw new IllegalArgumentException("Given normalized_shape=" + Arrays.toString(normalizedShape) + ", expected input with shape [*, "
                    + Arrays.toString(normalizedShape).replaceAll("[\\[\\]]", "") + "], but got input of size" + Arrays.toString(shape));
        }
        if (x.dtype() == DType.FLOAT16 || x.dtype() == DType.BFLOAT16) {
            // Statistics in float32, one rounding at the end, as PyTorch's half-precision layer norm (its OpMathType).
            Tensor w = weight == null ? null : weight.to(DType.FLOAT32), b = bias == null ? null : bias.to(DType.FLOAT32);
            return layerNorm(x.to(DType.FLOAT32), normalizedShape, w, b, eps).to(x.dtype());
        }
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = x.dim() - k + i;
        Tensor centered = x.sub(x.mean(dims, true));
        Tensor y = centered.mul(centered.square().mean(dims, true).add(eps).rsqrt());
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        return y;
    }
}
