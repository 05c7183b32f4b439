package dev.kindling.kernel.spi;

/**
 * The geometry of a 2-d sliding window over {@code [N, C, H, W]}: kernel size, stride, padding and dilation per axis,
 * and the output size those give (already checked by the kernel). Shared by convolution (im2col / col2im) and pooling.
 */
public record Window2d(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow) {
    public Window2d {
        if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || dh <= 0 || dw <= 0 || ph < 0 || pw < 0 || oh < 0 || ow < 0) {
            throw new IllegalArgumentException("invalid window: kernel " + kh + "x" + kw + ", stride " + sh + "x" + sw + ", padding " + ph + "x" + pw
                    + ", dilation " + dh + "x" + dw + ", output " + oh + "x" + ow);
        }
    }

    /** The output size along one axis: {@code floor((in + 2p - d(k-1) - 1) / s) + 1}. */
    public static int outputSize(long in, int k, int s, int p, int d) {
        return (int) ((in + 2L * p - (long) d * (k - 1) - 1) / s + 1);
    }
}
