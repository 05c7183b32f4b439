package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;
import dev.kindling.nn.internal.Py;

/** Max pooling over {@code [N, C, H, W]} or {@code [C, H, W]}; stride defaults to the kernel size. */
public class MaxPool2d extends Module {
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final boolean ceilMode;

    public MaxPool2d(int kernelSize) { this(kernelSize, kernelSize, 0); }

    /** {@code nn.MaxPool2d(kernel_size, stride)}. */
    public MaxPool2d(int kernelSize, int stride) { this(kernelSize, stride, 0); }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {1}, false);
    }

    /**
     * All options; each size is {@code {v}} (both dimensions, printed as an int, as PyTorch's int arguments) or
     * {@code {h, w}}; a null stride is the kernel size.
     */
    public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernelSize = kernelSize.clone();
        this.stride = stride == null ? kernelSize.clone() : stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.ceilMode = ceilMode;
        Sizes.expand(this.kernelSize, 2, "kernel_size");
        Sizes.expand(this.stride, 2, "stride");
        Sizes.expand(this.padding, 2, "padding");
        Sizes.expand(this.dilation, 2, "dilation");
    }

    public int[] kernelSize() { return Sizes.expand(kernelSize, 2, "kernel_size"); }

    public int[] stride() { return Sizes.expand(stride, 2, "stride"); }

    public int[] padding() { return Sizes.expand(padding, 2, "padding"); }

    public int[] dilation() { return Sizes.expand(dilation, 2, "dilation"); }

    public boolean ceilMode() { return ceilMode; }

    @Override
    public Tensor forward(Tensor x) { return F.maxPool2d(x, kernelSize(), stride(), padding(), dilation(), ceilMode); }

    @Override
    public String extraRepr() {
        return "kernel_size=" + Sizes.repr(kernelSize) + ", stride=" + Sizes.repr(stride) + ", padding=" + Sizes.repr(padding) + ", dilation="
                + Sizes.repr(dilation) + ", ceil_mode=" + Py.repr(ceilMode);
    }
}
