package dev.kindling.nn;

import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import dev.kindling.nn.internal.Py;

import java.util.Arrays;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What Conv1d and Conv2d share (PyTorch's {@code _ConvNd}): weight {@code [out, in/groups, *kernel]}, optional bias,
 * stride, padding (sizes, or "same"/"valid"), dilation, groups, padding mode, and PyTorch's initialisation.
 */
// The shared base of this bundle's Conv1d/Conv2d (PyTorch's _ConvNd); new layers extend Module.
@ProviderType
public abstract class ConvNd extends Module {
    protected final int inChannels;
    protected final int outChannels;
    protected final int[] kernelSize;
    protected final int[] stride;
    /** Padding per side of each spatial dimension (for "same" with an even kernel, the smaller side). */
    protected final int[] padding;
    /** "same" or "valid" when given as a string, else null. */
    protected final String paddingString;
    protected final int[] dilation;
    protected final int groups;
    protected final String paddingMode;

    protected ConvNd(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, String paddingString, int[] dilation,
                     int groups, boolean bias, String paddingMode) {
        if (groups <= 0) throw new IllegalArgumentException("groups must be a positive integer");
        if (inChannels % groups != 0) throw new IllegalArgumentException("in_channels must be divisible by groups");
        if (outChannels % groups != 0) throw new IllegalArgumentException("out_channels must be divisible by groups");
        if (!Arrays.asList("zeros", "reflect", "replicate", "circular").contains(paddingMode)) {
            throw new IllegalArgumentException("padding_mode must be one of [zeros, reflect, replicate, circular], but got padding_mode='" + paddingMode + "'");
        }
        int n = kernelSize.length;
        if (stride.length != n || dilation.length != n || (padding != null && padding.length != n)) {
            throw new IllegalArgumentException("kernel_size, stride, padding and dilation need " + n + " values each");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize.clone();
        this.stride = stride.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        this.paddingMode = paddingMode;
        this.paddingString = paddingString;
        if (paddingString != null) {
            if (!paddingString.equals("same") && !paddingString.equals("valid")) {
                throw new IllegalArgumentException("Invalid padding string '" + paddingString + "', should be one of {'valid', 'same'}");
            }
            if (paddingString.equals("same") && Arrays.stream(stride).anyMatch(s -> s != 1)) {
                throw new IllegalArgumentException("padding='same' is not supported for strided convolutions");
            }
            this.padding = new int[n];
        } else {
            this.padding = padding.clone();
        }
        long[] shape = new long[n + 2];
        shape[0] = outChannels;
        shape[1] = inChannels / groups;
        for (int i = 0; i < n; i++) shape[i + 2] = kernelSize[i];
        registerParameter("weight", Torch.empty(shape));
        registerParameter("bias", bias ? Torch.empty(outChannels) : null);
        resetParameters(null);
    }

    /** Re-initialises as PyTorch: weight Kaiming-uniform with a=√5, bias uniform in ±1/√fan_in. */
    public void resetParameters(Generator generator) {
        init.kaimingUniform_(weight(), Math.sqrt(5), "fan_in", "leaky_relu", generator);
        if (bias() != null) {
            long fanIn = init.calculateFanInAndFanOut(weight())[0];
            if (fanIn != 0) {
                double bound = 1 / Math.sqrt((double) fanIn);
                init.uniform_(bias(), -bound, bound, generator);
            }
        }
    }

    public Tensor weight() { return parameter("weight"); }

    /** The bias, or null. */
    public Tensor bias() { return parameter("bias"); }

    public int inChannels() { return inChannels; }

    public int outChannels() { return outChannels; }

    public int[] kernelSize() { return kernelSize.clone(); }

    public int[] stride() { return stride.clone(); }

    public int[] padding() { return padding.clone(); }

    /** "same" or "valid" when padding was given as a string, else null. */
    public String paddingString() { return paddingString; }

    public int[] dilation() { return dilation.clone(); }

    public int groups() { return groups; }

    public String paddingMode() { return paddingMode; }

    /**
     * Applies the explicit padding ("same", or a non-zero padding mode) to {@code x} and returns it with the padding the
     * convolution itself should add.
     */
    protected Tensor padInput(Tensor x, int[] convPadding) {
        int n = kernelSize.length;
        long[] pad = new long[2 * n];
        boolean explicit = false;
        for (int i = 0; i < n; i++) {
            long before, after;
            if ("same".equals(paddingString)) {
                long total = (long) dilation[i] * (kernelSize[i] - 1);
                before = total / 2;
                after = total - before;
            } else {
                before = after = padding[i];
            }
            // F.pad lists the last dimension first.
            pad[2 * (n - 1 - i)] = before;
            pad[2 * (n - 1 - i) + 1] = after;
            if (before != after || !paddingMode.equals("zeros")) explicit = true;
            convPadding[i] = (int) before;
        }
        if (!explicit) return x;
        Arrays.fill(convPadding, 0);
        return F.pad(x, pad, paddingMode.equals("zeros") ? "constant" : paddingMode, 0.0);
    }

    @Override
    public String extraRepr() {
        StringBuilder s = new StringBuilder().append(inChannels).append(", ").append(outChannels).append(", kernel_size=").append(Py.tuple(kernelSize))
                .append(", stride=").append(Py.tuple(stride));
        if (paddingString != null) s.append(", padding=").append(paddingString);
        else if (Arrays.stream(padding).anyMatch(p -> p != 0)) s.append(", padding=").append(Py.tuple(padding));
        if (Arrays.stream(dilation).anyMatch(d -> d != 1)) s.append(", dilation=").append(Py.tuple(dilation));
        if (groups != 1) s.append(", groups=").append(groups);
        if (bias() == null) s.append(", bias=False");
        if (!paddingMode.equals("zeros")) s.append(", padding_mode=").append(paddingMode);
        return s.toString();
    }

    static int[] repeat(int v, int n) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }
}
