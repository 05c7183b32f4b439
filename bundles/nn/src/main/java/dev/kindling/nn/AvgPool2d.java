package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/** Average pooling over {@code [N, C, H, W]} or {@code [C, H, W]}; stride defaults to the kernel size. */
public class AvgPool2d extends Module {
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;
    private final Integer divisorOverride;

    public AvgPool2d(int kernelSize) { this(kernelSize, kernelSize, 0); }

    /** {@code nn.AvgPool2d(kernel_size, stride)}. */
    public AvgPool2d(int kernelSize, int stride) { this(kernelSize, stride, 0); }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, false, true, null);
    }

    /**
     * All options; each size is {@code {v}} (both dimensions) or {@code {h, w}}; a null stride is the kernel size, a
     * null {@code divisorOverride} divides by the window size.
     */
    public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, Integer divisorOverride) {
        this.kernelSize = kernelSize.clone();
        this.stride = stride == null ? kernelSize.clone() : stride.clone();
        this.padding = padding.clone();
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
        Sizes.expand(this.kernelSize, 2, "kernel_size");
        Sizes.expand(this.stride, 2, "stride");
        Sizes.expand(this.padding, 2, "padding");
    }

    public int[] kernelSize() { return Sizes.expand(kernelSize, 2, "kernel_size"); }

    public int[] stride() { return Sizes.expand(stride, 2, "stride"); }

    public int[] padding() { return Sizes.expand(padding, 2, "padding"); }

    public boolean ceilMode() { return ceilMode; }

    public boolean countIncludePad() { return countIncludePad; }

    public Integer divisorOverride() { return divisorOverride; }

    @Override
    public Tensor forward(Tensor x) { return F.avgPool2d(x, kernelSize(), stride(), padding(), ceilMode, countIncludePad, divisorOverride); }

    @Override
    public String extraRepr() {
        return "kernel_size=" + Sizes.repr(kernelSize) + ", stride=" + Sizes.repr(stride) + ", padding=" + Sizes.repr(padding);
    }
}
