package dev.kindling.data.transforms;

/** torchvision's constant padding. */
final class Pad {
    private Pad() {}

    /** {p}, {lr, tb} or {l, t, r, b} to {l, t, r, b}. */
    static int[] ltrb(int[] padding) {
        for (int p : padding) if (p < 0) throw new IllegalArgumentException("padding must be non-negative, got " + java.util.Arrays.toString(padding));
        switch (padding.length) {
            case 1: return new int[] {padding[0], padding[0], padding[0], padding[0]};
            case 2: return new int[] {padding[0], padding[1], padding[0], padding[1]};
            case 4: return padding.clone();
            default:
                throw new IllegalArgumentException("Padding must be an int or a 1, 2, or 4 element sequence, not a " + padding.length + " element sequence");
        }
    }

    static Img pad(Img img, int[] ltrb, double fill) {
        return img.crop(-ltrb[1], -ltrb[0], img.h + ltrb[1] + ltrb[3], img.w + ltrb[0] + ltrb[2], fill);
    }
}
