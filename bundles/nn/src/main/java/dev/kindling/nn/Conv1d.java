package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/** 1-d convolution over {@code [N, C, L]} (or unbatched {@code [C, L]}); weight {@code [out, in/groups, k]}. */
public class Conv1d extends ConvNd {

    public Conv1d(int inChannels, int outChannels, int kernelSize) { this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true); }

    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true);
    }

    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups, boolean bias) {
        this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, "zeros");
    }

    /** All of PyTorch's options; {@code paddingString} ("same", "valid" or null) overrides {@code padding}. */
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, String paddingString, int dilation, int groups,
                  boolean bias, String paddingMode) {
        super(inChannels, outChannels, new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, paddingString, new int[] {dilation}, groups,
                bias, paddingMode);
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] convPadding = new int[1];
        Tensor in = padInput(x, convPadding);
        return F.conv1d(in, weight(), bias(), stride[0], convPadding[0], dilation[0], groups);
    }
}
