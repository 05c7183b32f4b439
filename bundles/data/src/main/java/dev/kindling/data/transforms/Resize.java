package dev.kindling.data.transforms;

import dev.kindling.api.Tensor;

/**
 * {@code transforms.Resize(size)} with bilinear interpolation. {@code Resize(s)} scales the shorter edge to s and the
 * longer one to {@code int(s * long / short)}, keeping the aspect ratio; {@code Resize(h, w)} gives exactly h x w.
 * An image that already has the target size is returned as it is.
 *
 * <p>A UINT8 (HWC) image is resized as torchvision resizes a PIL image: PIL's separable, antialiased bilinear
 * filter with 8-bit fixed-point rounding, bit-exact. A tensor image is resized as torchvision resizes a tensor
 * ({@code interpolate(mode="bilinear", align_corners=False)}, no antialiasing).
 */
public final class Resize implements Transform<Tensor, Tensor> {
    private final int height;
    private final int width;
    private final boolean shorterEdge;

    /** Scales the shorter edge to {@code size}. */
    public Resize(int size) {
        if (size <= 0) throw new IllegalArgumentException("Resize: size must be positive, got " + size);
        this.height = size;
        this.width = size;
        this.shorterEdge = true;
    }

    /** Resizes to exactly {@code height x width}. */
    public Resize(int height, int width) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("Resize: size must be positive, got " + height + "x" + width);
        this.height = height;
        this.width = width;
        this.shorterEdge = false;
    }

    @Override
    public Tensor apply(Tensor input) {
        Img img = Img.of(input, "Resize");
        int oh, ow;
        if (shorterEdge) {
            int h = img.h, w = img.w;
            int shortSide = Math.min(h, w), longSide = Math.max(h, w);
            int newLong = (int) ((double) height * longSide / shortSide);
            if (w <= h) {
                ow = height;
                oh = newLong;
            } else {
                oh = height;
                ow = newLong;
            }
        } else {
            oh = height;
            ow = width;
        }
        if (oh == img.h && ow == img.w) return input;
        Img out = img.hwc ? pil(img, oh, ow) : bilinear(img, oh, ow);
        return out.toTensor();
    }

    // ---- PIL: ImagingResample with the BILINEAR filter, 8 bits per channel ----

    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** Filter taps for one axis: bounds (first tap, count) per output pixel and kernel weights. */
    private static final class Coeffs {
        int ksize;
        int[] bounds;
        double[] kk;
    }

    private static double bilinearFilter(double x) {
        if (x < 0.0) x = -x;
        if (x < 1.0) return 1.0 - x;
        return 0.0;
    }

    private static Coeffs precompute(int inSize, float in0, float in1, int outSize) {
        double scale = (double) (in1 - in0) / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = 1.0 * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        Coeffs c = new Coeffs();
        c.ksize = ksize;
        c.kk = new double[outSize * ksize];
        c.bounds = new int[outSize * 2];
        for (int xx = 0; xx < outSize; xx++) {
            double center = in0 + (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            int k = xx * ksize;
            for (int x = 0; x < xmax; x++) {
                double w = bilinearFilter((x + xmin - center + 0.5) * ss);
                c.kk[k + x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) if (ww != 0.0) c.kk[k + x] /= ww;
            c.bounds[xx * 2] = xmin;
            c.bounds[xx * 2 + 1] = xmax;
        }
        return c;
    }

    private static int[] normalize8(Coeffs c) {
        int[] out = new int[c.kk.length];
        for (int i = 0; i < out.length; i++) {
            double v = c.kk[i];
            out[i] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
        }
        return out;
    }

    private static byte clip8(int ss) {
        int v = ss >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    static Img pil(Img in, int oh, int ow) {
        boolean needH = ow != in.w;
        boolean needV = oh != in.h;
        Coeffs vert = precompute(in.h, 0f, in.h, oh);
        int yFirst = vert.bounds[0];
        int yLast = vert.bounds[oh * 2 - 2] + vert.bounds[oh * 2 - 1];
        Img cur = in;
        int c = in.c;
        if (needH) {
            Coeffs hor = precompute(in.w, 0f, in.w, ow);
            int[] k = normalize8(hor);
            for (int i = 0; i < oh; i++) vert.bounds[i * 2] -= yFirst;
            Img tmp = in.blank(yLast - yFirst, ow);
            for (int yy = 0; yy < tmp.h; yy++) {
                for (int xx = 0; xx < ow; xx++) {
                    int xmin = hor.bounds[xx * 2], xmax = hor.bounds[xx * 2 + 1], kb = xx * hor.ksize;
                    for (int ch = 0; ch < c; ch++) {
                        int ss = 1 << (PRECISION_BITS - 1);
                        int base = ((yy + yFirst) * in.w + xmin) * c + ch;
                        for (int x = 0; x < xmax; x++) ss += (in.u8[base + x * c] & 0xff) * k[kb + x];
                        tmp.u8[(yy * ow + xx) * c + ch] = clip8(ss);
                    }
                }
            }
            cur = tmp;
        }
        if (!needV) return cur == in ? in.crop(0, 0, in.h, in.w, 0) : cur;
        int[] k = normalize8(vert);
        Img out = cur.blank(oh, cur.w);
        for (int yy = 0; yy < oh; yy++) {
            int ymin = vert.bounds[yy * 2], ymax = vert.bounds[yy * 2 + 1], kb = yy * vert.ksize;
            for (int xx = 0; xx < cur.w; xx++) {
                for (int ch = 0; ch < c; ch++) {
                    int ss = 1 << (PRECISION_BITS - 1);
                    for (int y = 0; y < ymax; y++) ss += (cur.u8[((y + ymin) * cur.w + xx) * c + ch] & 0xff) * k[kb + y];
                    out.u8[(yy * cur.w + xx) * c + ch] = clip8(ss);
                }
            }
        }
        return out;
    }

    // ---- tensors: upsample_bilinear2d, align_corners=False ----

    static Img bilinear(Img in, int oh, int ow) {
        Img out = in.blank(oh, ow);
        boolean f32 = in.f32 != null;
        int[] y0 = new int[oh], dy = new int[oh], x0 = new int[ow], dx = new int[ow];
        double[] ly1 = new double[oh], lx1 = new double[ow];
        source(in.h, oh, f32, y0, dy, ly1);
        source(in.w, ow, f32, x0, dx, lx1);
        int planes = in.n * in.c;
        boolean integral = in.f64 != null && !in.dtype.isFloatingPoint();
        for (int p = 0; p < planes; p++) {
            int ib = p * in.h * in.w, ob = p * oh * ow;
            for (int y = 0; y < oh; y++) {
                int r0 = ib + y0[y] * in.w, r1 = r0 + dy[y] * in.w;
                for (int x = 0; x < ow; x++) {
                    int c0 = x0[x], c1 = c0 + dx[x];
                    if (f32) {
                        float lh1 = (float) ly1[y], lh0 = 1f - lh1, lw1 = (float) lx1[x], lw0 = 1f - lw1;
                        float[] a = in.f32;
                        out.f32[ob + y * ow + x] = (a[r0 + c0] * lw0 + a[r0 + c1] * lw1) * lh0 + (a[r1 + c0] * lw0 + a[r1 + c1] * lw1) * lh1;
                    } else {
                        double lh1 = ly1[y], lh0 = 1 - lh1, lw1 = lx1[x], lw0 = 1 - lw1;
                        double[] a = in.f64;
                        double v = (a[r0 + c0] * lw0 + a[r0 + c1] * lw1) * lh0 + (a[r1 + c0] * lw0 + a[r1 + c1] * lw1) * lh1;
                        out.f64[ob + y * ow + x] = integral ? Math.rint(v) : v;
                    }
                }
            }
        }
        return out;
    }

    /** area_pixel_compute_source_index and the linear weights, in float32 for FLOAT32 images. */
    private static void source(int inSize, int outSize, boolean f32, int[] i0, int[] step, double[] lambda1) {
        for (int o = 0; o < outSize; o++) {
            if (f32) {
                float scale = (float) inSize / outSize;
                float s = (float) (scale * (o + 0.5) - 0.5);
                float fs = s < 0 ? 0f : s;
                int i = (int) fs;
                i0[o] = i;
                step[o] = i < inSize - 1 ? 1 : 0;
                lambda1[o] = fs - i;
            } else {
                double scale = (double) inSize / outSize;
                double s = scale * (o + 0.5) - 0.5;
                double src = s < 0 ? 0 : s;
                int i = (int) src;
                i0[o] = i;
                step[o] = i < inSize - 1 ? 1 : 0;
                lambda1[o] = src - i;
            }
        }
    }

    @Override
    public String toString() {
        return "Resize(size=" + (shorterEdge ? String.valueOf(height) : "(" + height + ", " + width + ")") + ", interpolation=bilinear)";
    }

}
