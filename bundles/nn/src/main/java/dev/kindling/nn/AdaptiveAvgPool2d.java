package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/** Average pooling to a fixed output size {@code [oh, ow]}, whatever the input size. */
public class AdaptiveAvgPool2d extends Module {
    private final int[] outputSize;

    /** A square {@code size x size} output. */
    public AdaptiveAvgPool2d(int outputSize) { this.outputSize = new int[] {outputSize}; }

    public AdaptiveAvgPool2d(int outputH, int outputW) { this.outputSize = new int[] {outputH, outputW}; }

    public int[] outputSize() { return Sizes.expand(outputSize, 2, "output_size"); }

    @Override
    public Tensor forward(Tensor x) { return F.adaptiveAvgPool2d(x, outputSize()); }

    @Override
    public String extraRepr() { return "output_size=" + Sizes.repr(outputSize); }
}
