package dev.kindling.data.transforms;

import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.data.DataRandom;

import java.util.Arrays;

/**
 * {@code transforms.RandomCrop(size, padding)}: optionally pads the image (constant fill), then cuts a
 * {@code size}-sized window at a random position. The position is drawn as torchvision draws it (two
 * {@code torch.randint} calls, none when the image already has the crop's size).
 */
public final class RandomCrop implements Transform<Tensor, Tensor> {
    private final int height;
    private final int width;
    private final int[] padding;
    private final boolean padIfNeeded;
    private final double fill;

    public RandomCrop(int size) { this(size, size, null, false, 0); }

    /** {@code RandomCrop(size, padding=p)}: pads every side by p first. */
    public RandomCrop(int size, int padding) { this(size, size, new int[] {padding}, false, 0); }

    /**
     * @param padding null for none; {p} for all sides, {left/right, top/bottom}, or {left, top, right, bottom}
     * @param padIfNeeded pad an image smaller than the crop (both sides by the difference, as torchvision)
     * @param fill the constant for padded pixels
     */
    public RandomCrop(int height, int width, int[] padding, boolean padIfNeeded, double fill) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("RandomCrop: size must be positive, got " + height + "x" + width);
        this.height = height;
        this.width = width;
        this.padding = padding == null ? null : Pad.ltrb(padding);
        this.padIfNeeded = padIfNeeded;
        this.fill = fill;
    }

    @Override
    public Tensor apply(Tensor input) {
        Img img = Img.of(input, "RandomCrop");
        if (padding != null) img = Pad.pad(img, padding, fill);
        if (padIfNeeded && img.w < width) img = Pad.pad(img, new int[] {width - img.w, 0, width - img.w, 0}, fill);
        if (padIfNeeded && img.h < height) img = Pad.pad(img, new int[] {0, height - img.h, 0, height - img.h}, fill);
        int h = img.h, w = img.w;
        if (h < height || w < width) {
            throw new IllegalArgumentException("Required crop size (" + height + ", " + width + ") is larger than input image size ("
                    + h + ", " + w + ")");
        }
        if (h == height && w == width) return img.toTensor();
        Generator g = DataRandom.generator();
        int i = (int) g.nextLong(h - height + 1);
        int j = (int) g.nextLong(w - width + 1);
        return img.crop(i, j, height, width, 0).toTensor();
    }

    @Override
    public String toString() {
        return "RandomCrop(size=(" + height + ", " + width + "), padding=" + (padding == null ? "None" : Arrays.toString(padding)) + ")";
    }
}
