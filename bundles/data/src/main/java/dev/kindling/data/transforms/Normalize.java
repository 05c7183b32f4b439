package dev.kindling.data.transforms;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.util.Arrays;

/**
 * {@code transforms.Normalize(mean, std)}: {@code (x - mean[c]) / std[c]} per channel of a floating tensor image
 * {@code [..., C, H, W]}, in the tensor's dtype (a subtraction then a division, as PyTorch computes it, so results
 * are bit-identical). A single mean or std applies to every channel. The input is not modified.
 */
public final class Normalize implements Transform<Tensor, Tensor> {
    private final double[] mean;
    private final double[] std;
    private final boolean scalars;

    /** {@code transforms.Normalize(mean, std)} with one mean and one std for every channel ({@code Normalize(0.1307, 0.3081)}). */
    public Normalize(double mean, double std) {
        this(new double[] {mean}, new double[] {std}, true);
    }

    public Normalize(double[] mean, double[] std) { this(mean, std, false); }

    private Normalize(double[] mean, double[] std, boolean scalars) {
        if (mean == null || std == null || mean.length == 0 || std.length == 0) {
            throw new IllegalArgumentException("Normalize needs a mean and a std (one value, or one per channel)");
        }
        this.mean = mean.clone();
        this.std = std.clone();
        this.scalars = scalars;
    }

    public double[] mean() { return mean.clone(); }

    public double[] std() { return std.clone(); }

    @Override
    public Tensor apply(Tensor t) {
        DType dt = t.dtype();
        if (!dt.isFloatingPoint()) throw new IllegalArgumentException("Input tensor should be a float tensor. Got " + dt + ".");
        long[] shape = t.shape();
        if (shape.length < 3) {
            throw new IllegalArgumentException("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                    + Arrays.toString(shape) + ".");
        }
        int c = (int) shape[shape.length - 3];
        checkLength(mean, "mean", c);
        checkLength(std, "std", c);
        for (double s : std) {
            if ((dt == DType.FLOAT64 ? s : (float) s) == 0) {
                throw new IllegalArgumentException("std evaluated to zero after conversion to " + dt + ", leading to division by zero.");
            }
        }
        boolean host = Device.CPU.equals(t.device()) && !t.requiresGrad();
        long planeL = shape[shape.length - 1] * shape[shape.length - 2];
        if (host && dt == DType.FLOAT32 && t.numel() <= Integer.MAX_VALUE) {
            float[] a = t.toFloatArray();
            int plane = (int) planeL;
            float[] m = new float[c], s = new float[c];
            for (int i = 0; i < c; i++) {
                m[i] = (float) mean[mean.length == 1 ? 0 : i];
                s[i] = (float) std[std.length == 1 ? 0 : i];
            }
            for (int start = 0, p = 0; start < a.length; start += plane, p++) {
                float mi = m[p % c], si = s[p % c];
                for (int j = start, end = start + plane; j < end; j++) a[j] = (a[j] - mi) / si;
            }
            return Torch.tensor(a, shape);
        }
        if (host && dt == DType.FLOAT64 && t.numel() <= Integer.MAX_VALUE) {
            double[] a = t.toDoubleArray();
            int plane = (int) planeL;
            for (int start = 0, p = 0; start < a.length; start += plane, p++) {
                double mi = mean[mean.length == 1 ? 0 : p % c], si = std[std.length == 1 ? 0 : p % c];
                for (int j = start, end = start + plane; j < end; j++) a[j] = (a[j] - mi) / si;
            }
            return Torch.tensor(a, shape);
        }
        Tensor m = Torch.tensor(mean, mean.length).to(dt).to(t.device()).view(-1, 1, 1);
        Tensor s = Torch.tensor(std, std.length).to(dt).to(t.device()).view(-1, 1, 1);
        return t.sub(m).div(s);
    }

    private static void checkLength(double[] v, String what, int channels) {
        if (v.length != 1 && v.length != channels) {
            throw new IllegalArgumentException("Normalize: " + what + " has " + v.length + " values but the image has " + channels
                    + " channels (give one value, or one per channel)");
        }
    }

    @Override
    public String toString() {
        if (scalars) return "Normalize(mean=" + mean[0] + ", std=" + std[0] + ")"; // as torchvision prints float arguments
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
