package dev.kindling.data.transforms;

import dev.kindling.api.Tensor;
import dev.kindling.api.Generator;
import dev.kindling.data.DataRandom;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * {@code transforms.RandomRotation(degrees)}: rotates counter-clockwise about the image centre by an angle drawn
 * uniformly from [min, max] (one float draw, as torchvision's {@code torch.empty(1).uniform_(min, max)}), with
 * nearest-neighbour sampling, the output the size of the input (no expand), and {@code fill} where no source pixel
 * lands.
 *
 * <p>UINT8 (HWC) images follow PIL's {@code Image.rotate} (16.16 fixed-point affine map); tensor images follow
 * torchvision's tensor path ({@code affine_grid} + {@code grid_sample(mode="nearest")} in float32).
 */
public final class RandomRotation implements Transform<Tensor, Tensor> {
    private final double min;
    private final double max;
    private final double fill;

    /** Angles in [-degrees, degrees]. */
    public RandomRotation(double degrees) {
        this(-checkPositive(degrees), degrees, 0);
    }

    public RandomRotation(double min, double max) { this(min, max, 0); }

    public RandomRotation(double min, double max, double fill) {
        if (!(min <= max)) throw new IllegalArgumentException("RandomRotation: degrees should be (min, max) with min <= max, got (" + min + ", " + max + ")");
        this.min = min;
        this.max = max;
        this.fill = fill;
    }

    private static double checkPositive(double d) {
        if (d < 0) throw new IllegalArgumentException("If degrees is a single number, it must be positive.");
        return d;
    }

    @Override
    public Tensor apply(Tensor input) {
        return rotate(input, drawAngle(DataRandom.generator(), min, max), fill);
    }

    /**
     * torchvision's {@code float(torch.empty(1).uniform_(min, max).item())}: PyTorch's CPU {@code uniform_} on a float32
     * tensor takes a 24-bit float x and computes {@code x * (to - from) + from} in double with the bounds (and their
     * difference) in float32, then rounds to float32.
     */
    static double drawAngle(Generator g, double min, double max) {
        float lo = (float) min, hi = (float) max;
        double x = g.nextFloat();
        return (float) (x * (hi - lo) + lo);
    }

    /** {@code F.rotate(img, angle, fill=fill)}: counter-clockwise, nearest neighbour, same size. */
    public static Tensor rotate(Tensor input, double angle, double fill) {
        Img img = Img.of(input, "rotate");
        return (img.hwc ? pil(img, angle, fill) : grid(img, angle, fill)).toTensor();
    }

    // ---- PIL: Image.rotate(angle, NEAREST, expand=False, fillcolor=fill) ----

    private static double round15(double v) {
        return new BigDecimal(v).setScale(15, RoundingMode.HALF_EVEN).doubleValue();
    }

    static Img pil(Img in, double angle, double fill) {
        int w = in.w, h = in.h, c = in.c;
        double m = angle % 360.0;
        if (m < 0) m += 360.0;
        if (m == 0) return in.crop(0, 0, h, w, 0);
        if (m == 180) return transpose(in, 180);
        if ((m == 90 || m == 270) && w == h) return transpose(in, (int) m);
        double rad = -Math.toRadians(m);
        double a = round15(Math.cos(rad)), b = round15(Math.sin(rad)), d = round15(-Math.sin(rad)), e = round15(Math.cos(rad));
        double cx = w / 2.0, cy = h / 2.0;
        double cc = a * -cx + b * -cy + 0.0;
        double ff = d * -cx + e * -cy + 0.0;
        cc += cx;
        ff += cy;
        double[] mat = {a, b, cc, d, e, ff};
        Img out = in.blank(h, w);
        out.fill(fill);
        if (fixedOk(mat, 0, 0) && fixedOk(mat, w, h) && fixedOk(mat, 0, h) && fixedOk(mat, w, 0)) {
            int a0 = fix(mat[0]), a1 = fix(mat[1]), a3 = fix(mat[3]), a4 = fix(mat[4]);
            int a2 = fix(mat[2] + mat[0] * 0.5 + mat[1] * 0.5);
            int a5 = fix(mat[5] + mat[3] * 0.5 + mat[4] * 0.5);
            for (int y = 0; y < h; y++) {
                int xx = a2, yy = a5;
                for (int x = 0; x < w; x++) {
                    int xin = xx >> 16;
                    if (xin >= 0 && xin < w) {
                        int yin = yy >> 16;
                        if (yin >= 0 && yin < h) copyPixel(in, yin, xin, out, y, x, c);
                    }
                    xx += a0;
                    yy += a3;
                }
                a2 += a1;
                a5 += a4;
            }
        } else {
            double xo = mat[2] + mat[1] * 0.5 + mat[0] * 0.5;
            double yo = mat[5] + mat[4] * 0.5 + mat[3] * 0.5;
            for (int y = 0; y < h; y++) {
                double xx = xo, yy = yo;
                for (int x = 0; x < w; x++) {
                    int xin = xx < 0.0 ? -1 : (int) xx;
                    if (xin >= 0 && xin < w) {
                        int yin = yy < 0.0 ? -1 : (int) yy;
                        if (yin >= 0 && yin < h) copyPixel(in, yin, xin, out, y, x, c);
                    }
                    xx += mat[0];
                    yy += mat[3];
                }
                xo += mat[1];
                yo += mat[4];
            }
        }
        return out;
    }

    private static boolean fixedOk(double[] a, int x, int y) {
        return Math.abs(x * a[0] + y * a[1] + a[2]) < 32768.0 && Math.abs(x * a[3] + y * a[4] + a[5]) < 32768.0;
    }

    /** PIL's FIX: FLOOR(v * 65536 + 0.5). */
    private static int fix(double v) {
        double x = v * 65536.0 + 0.5;
        return x < 0.0 ? (int) Math.floor(x) : (int) x;
    }

    private static void copyPixel(Img in, int sy, int sx, Img out, int y, int x, int c) {
        int s = (sy * in.w + sx) * c, d = (y * out.w + x) * c;
        for (int ch = 0; ch < c; ch++) out.u8[d + ch] = in.u8[s + ch];
    }

    /** PIL's Transpose.ROTATE_90 / ROTATE_180 / ROTATE_270 (square images for 90 and 270). */
    private static Img transpose(Img in, int degrees) {
        int w = in.w, h = in.h, c = in.c;
        Img out = in.blank(h, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int sy, sx;
                if (degrees == 180) {
                    sy = h - 1 - y;
                    sx = w - 1 - x;
                } else if (degrees == 90) {
                    sy = x;
                    sx = w - 1 - y;
                } else {
                    sy = h - 1 - x;
                    sx = y;
                }
                copyPixel(in, sy, sx, out, y, x, c);
            }
        }
        return out;
    }

    // ---- tensors: _get_inverse_affine_matrix, _gen_affine_grid, grid_sample(nearest, zeros), fill ----

    static Img grid(Img in, double angle, double fill) {
        int w = in.w, h = in.h;
        double rot = Math.toRadians(-angle);
        double cos = Math.cos(rot), sin = Math.sin(rot);
        // inverse matrix [d, -b, 0, -c, a, 0] with a = d = cos(rot), b = -sin(rot), c = sin(rot)
        float t00 = (float) cos, t01 = (float) sin, t02 = 0f;
        float t10 = (float) -sin, t11 = (float) cos, t12 = 0f;
        float hw = 0.5f * w, hh = 0.5f * h;
        // rescaled_theta = theta^T / [0.5w, 0.5h]: column j of the result belongs to output coordinate j
        float r00 = t00 / hw, r10 = t01 / hw, r20 = t02 / hw;
        float r01 = t10 / hh, r11 = t11 / hh, r21 = t12 / hh;
        float sw = w / 2f, sh = h / 2f;
        Img out = in.blank(h, w);
        out.fill(fill);
        int planes = in.hwc ? 1 : in.n * in.c;
        for (int y = 0; y < h; y++) {
            float by = -h * 0.5f + 0.5f + y;
            for (int x = 0; x < w; x++) {
                float bx = -w * 0.5f + 0.5f + x;
                float gx = bx * r00 + by * r10 + r20;
                float gy = bx * r01 + by * r11 + r21;
                float ix = (gx + 1f) * sw - 0.5f;
                float iy = (gy + 1f) * sh - 0.5f;
                int sx = (int) Math.rint(ix), sy = (int) Math.rint(iy);
                if (sx < 0 || sx >= w || sy < 0 || sy >= h) continue;
                for (int p = 0; p < planes; p++) {
                    out.copy((p * h + y) * w + x, in, (p * h + sy) * w + sx);
                }
            }
        }
        return out;
    }

    @Override
    public String toString() { return "RandomRotation(degrees=[" + min + ", " + max + "], interpolation=nearest, expand=False, fill=" + fill + ")"; }
}
