package dev.kindling.data.transforms;

import dev.kindling.api.Tensor;

/**
 * {@code transforms.CenterCrop(size)}: the central window, offset {@code round((H - h) / 2)} (Python's round half to
 * even) as torchvision; an image smaller than the crop is zero-padded first.
 */
public final class CenterCrop implements Transform<Tensor, Tensor> {
    private final int height;
    private final int width;

    public CenterCrop(int size) { this(size, size); }

    public CenterCrop(int height, int width) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("CenterCrop: size must be positive, got " + height + "x" + width);
        this.height = height;
        this.width = width;
    }

    @Override
    public Tensor apply(Tensor input) {
        Img img = Img.of(input, "CenterCrop");
        if (width > img.w || height > img.h) {
            int[] ltrb = {
                width > img.w ? (width - img.w) / 2 : 0,
                height > img.h ? (height - img.h) / 2 : 0,
                width > img.w ? (width - img.w + 1) / 2 : 0,
                height > img.h ? (height - img.h + 1) / 2 : 0,
            };
            img = Pad.pad(img, ltrb, 0);
            if (img.w == width && img.h == height) return img.toTensor();
        }
        int top = (int) Math.rint((img.h - height) / 2.0);
        int left = (int) Math.rint((img.w - width) / 2.0);
        return img.crop(top, left, height, width, 0).toTensor();
    }

    @Override
    public String toString() { return "CenterCrop(size=(" + height + ", " + width + "))"; }
}
