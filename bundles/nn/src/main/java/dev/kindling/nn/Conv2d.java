package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/**
 * 2-d convolution over {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}) with stride, padding, dilation and groups;
 * weight {@code [out, in/groups, kh, kw]}. The options PyTorch takes as keywords are also on {@link #builder}.
 */
public class Conv2d extends ConvNd {

    public Conv2d(int inChannels, int outChannels, int kernelSize) { this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true); }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups, boolean bias) {
        this(inChannels, outChannels, repeat(kernelSize, 2), repeat(stride, 2), repeat(padding, 2), repeat(dilation, 2), groups, bias);
    }

    /** Per-dimension sizes ({@code {kh, kw}} ...), as PyTorch's tuple arguments. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups, boolean bias) {
        this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, "zeros");
    }

    private Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, String paddingString, int[] dilation, int groups,
                   boolean bias, String paddingMode) {
        super(inChannels, outChannels, kernelSize, stride, padding, paddingString, dilation, groups, bias, paddingMode);
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] convPadding = new int[2];
        Tensor in = padInput(x, convPadding);
        return F.conv2d(in, weight(), bias(), stride, convPadding, dilation, groups);
    }

    /** {@code Conv2d.builder(1, 32, 3).padding(1).build()}. */
    public static Builder builder(int inChannels, int outChannels, int kernelSize) { return new Builder(inChannels, outChannels, repeat(kernelSize, 2)); }

    public static Builder builder(int inChannels, int outChannels, int kernelH, int kernelW) {
        return new Builder(inChannels, outChannels, new int[] {kernelH, kernelW});
    }

    /** The keyword options of {@code nn.Conv2d}, with PyTorch's defaults. */
    public static final class Builder {
        private final int in;
        private final int out;
        private final int[] kernel;
        private int[] stride = {1, 1};
        private int[] padding = {0, 0};
        private String paddingString;
        private int[] dilation = {1, 1};
        private int groups = 1;
        private boolean bias = true;
        private String paddingMode = "zeros";

        private Builder(int in, int out, int[] kernel) {
            this.in = in;
            this.out = out;
            this.kernel = kernel;
        }

        public Builder stride(int s) { stride = repeat(s, 2); return this; }

        public Builder stride(int sh, int sw) { stride = new int[] {sh, sw}; return this; }

        public Builder padding(int p) { padding = repeat(p, 2); paddingString = null; return this; }

        public Builder padding(int ph, int pw) { padding = new int[] {ph, pw}; paddingString = null; return this; }

        /** "same" (output size = input size, stride 1) or "valid" (no padding). */
        public Builder padding(String p) { paddingString = p; padding = new int[2]; return this; }

        public Builder dilation(int d) { dilation = repeat(d, 2); return this; }

        public Builder dilation(int dh, int dw) { dilation = new int[] {dh, dw}; return this; }

        public Builder groups(int g) { groups = g; return this; }

        public Builder bias(boolean b) { bias = b; return this; }

        /** "zeros" (default), "reflect", "replicate" or "circular". */
        public Builder paddingMode(String mode) { paddingMode = mode; return this; }

        public Conv2d build() { return new Conv2d(in, out, kernel, stride, padding, paddingString, dilation, groups, bias, paddingMode); }
    }
}
