package dev.kindling.data.transforms;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.util.Arrays;

/**
 * An image's pixels in a flat Java array, for the spatial transforms: UINT8 tensors are HWC (PIL-like), others
 * [..., C, H, W] planes ({@code n} leading images of {@code c} channels). FLOAT32 stays float, UINT8 bytes, anything
 * else is held as doubles and converted back to its dtype at the end.
 */
final class Img {
    final DType dtype;
    final boolean hwc;
    final boolean twoD;
    final long[] lead;
    final int n;
    final int c;
    final int h;
    final int w;
    final byte[] u8;
    final float[] f32;
    final double[] f64;

    private Img(DType dtype, boolean hwc, boolean twoD, long[] lead, int n, int c, int h, int w) {
        this.dtype = dtype;
        this.hwc = hwc;
        this.twoD = twoD;
        this.lead = lead;
        this.n = n;
        this.c = c;
        this.h = h;
        this.w = w;
        int size = Math.multiplyExact(Math.multiplyExact(n, c), Math.multiplyExact(h, w));
        this.u8 = dtype == DType.UINT8 ? new byte[size] : null;
        this.f32 = dtype == DType.FLOAT32 ? new float[size] : null;
        this.f64 = dtype != DType.UINT8 && dtype != DType.FLOAT32 ? new double[size] : null;
    }

    private Img(Img like, int h, int w) {
        this(like.dtype, like.hwc, like.twoD, like.lead, like.n, like.c, h, w);
    }

    /** An image of the same kind with a new height and width, zero-filled. */
    Img blank(int newH, int newW) {
        if (newH < 0 || newW < 0) throw new IllegalArgumentException("image size must not be negative: " + newH + "x" + newW);
        return new Img(this, newH, newW);
    }

    static Img of(Tensor t, String who) {
        long[] s = t.shape();
        DType dt = t.dtype();
        if (dt == DType.UINT8) {
            if (s.length != 2 && s.length != 3) {
                throw new IllegalArgumentException(who + ": a UINT8 image must be [H, W] or [H, W, C] (HWC layout), got "
                        + Arrays.toString(s));
            }
            boolean twoD = s.length == 2;
            Img img = new Img(dt, true, twoD, new long[0], 1, twoD ? 1 : toInt(s[2]), toInt(s[0]), toInt(s[1]));
            int[] v = t.toIntArray();
            for (int i = 0; i < v.length; i++) img.u8[i] = (byte) v[i];
            return img;
        }
        if (s.length < 2) {
            throw new IllegalArgumentException(who + ": a tensor image must be [..., C, H, W] or [H, W], got " + Arrays.toString(s));
        }
        boolean twoD = s.length == 2;
        long[] lead = twoD ? new long[0] : Arrays.copyOf(s, s.length - 3);
        long n = 1;
        for (long d : lead) n *= d;
        Img img = new Img(dt, false, twoD, lead, toInt(n), twoD ? 1 : toInt(s[s.length - 3]), toInt(s[s.length - 2]), toInt(s[s.length - 1]));
        if (dt == DType.FLOAT32) System.arraycopy(t.toFloatArray(), 0, img.f32, 0, img.f32.length);
        else System.arraycopy(t.toDoubleArray(), 0, img.f64, 0, img.f64.length);
        return img;
    }

    private static int toInt(long v) {
        if (v > Integer.MAX_VALUE) throw new IllegalArgumentException("image dimension too large: " + v);
        return (int) v;
    }

    int size() { return n * c * h * w; }

    /** Flat index of (image k, channel ch, row y, column x). */
    int index(int k, int ch, int y, int x) {
        return hwc ? (y * w + x) * c + ch : ((k * c + ch) * h + y) * w + x;
    }

    double get(int i) {
        if (u8 != null) return u8[i] & 0xff;
        if (f32 != null) return f32[i];
        return f64[i];
    }

    void set(int i, double v) {
        if (u8 != null) u8[i] = (byte) v;
        else if (f32 != null) f32[i] = (float) v;
        else f64[i] = v;
    }

    void copy(int dst, Img src, int si) {
        if (u8 != null) u8[dst] = src.u8[si];
        else if (f32 != null) f32[dst] = src.f32[si];
        else f64[dst] = src.f64[si];
    }

    /** The fill value as stored (UINT8 truncates as PIL's fill does for an int). */
    void fill(double v) {
        if (v == 0) return;
        if (u8 != null) Arrays.fill(u8, (byte) (int) v);
        else if (f32 != null) Arrays.fill(f32, (float) v);
        else Arrays.fill(f64, v);
    }

    Tensor toTensor() {
        long[] shape;
        if (hwc) shape = twoD ? new long[] {h, w} : new long[] {h, w, c};
        else if (twoD) shape = new long[] {h, w};
        else {
            shape = Arrays.copyOf(lead, lead.length + 3);
            shape[lead.length] = c;
            shape[lead.length + 1] = h;
            shape[lead.length + 2] = w;
        }
        if (u8 != null) return Torch.tensor(u8, shape);
        if (f32 != null) return Torch.tensor(f32, shape);
        Tensor t = Torch.tensor(f64, shape);
        return dtype == DType.FLOAT64 ? t : t.to(dtype);
    }

    /**
     * torchvision's crop: rows [top, top+height) and columns [left, left+width); parts outside the image are filled
     * with {@code fill} (this is also how padding is done).
     */
    Img crop(int top, int left, int height, int width, double fill) {
        Img out = blank(height, width);
        out.fill(fill);
        int y0 = Math.max(0, -top), y1 = Math.min(height, h - top);
        int x0 = Math.max(0, -left), x1 = Math.min(width, w - left);
        if (x1 <= x0) return out;
        if (hwc) {
            int len = (x1 - x0) * c;
            for (int y = y0; y < y1; y++) {
                int s = ((top + y) * w + left + x0) * c;
                int d = (y * width + x0) * c;
                copyRange(this, s, out, d, len);
            }
        } else {
            int len = x1 - x0;
            for (int k = 0; k < n * c; k++) {
                for (int y = y0; y < y1; y++) {
                    int s = (k * h + top + y) * w + left + x0;
                    int d = (k * height + y) * width + x0;
                    copyRange(this, s, out, d, len);
                }
            }
        }
        return out;
    }

    private static void copyRange(Img src, int s, Img dst, int d, int len) {
        if (src.u8 != null) System.arraycopy(src.u8, s, dst.u8, d, len);
        else if (src.f32 != null) System.arraycopy(src.f32, s, dst.f32, d, len);
        else System.arraycopy(src.f64, s, dst.f64, d, len);
    }

    Img hflip() {
        Img out = blank(h, w);
        for (int k = 0; k < (hwc ? 1 : n); k++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) out.copy(index(k, ch, y, w - 1 - x), this, index(k, ch, y, x));
                }
            }
        }
        return out;
    }

    /** Image kind for error messages and toString. */
    String describe() {
        return dtype.torchName() + (hwc ? " HWC " : " CHW ") + "image of " + h + "x" + w;
    }
}
