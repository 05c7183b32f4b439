package dev.kindling.data.transforms;

import dev.kindling.api.Tensor;
import dev.kindling.data.DataRandom;

/**
 * {@code transforms.RandomHorizontalFlip(p)}: mirrors the image left to right with probability p (default 0.5),
 * drawing one float as torchvision's {@code torch.rand(1) < p}.
 */
public final class RandomHorizontalFlip implements Transform<Tensor, Tensor> {
    private final double p;

    public RandomHorizontalFlip() { this(0.5); }

    public RandomHorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
        this.p = p;
    }

    @Override
    public Tensor apply(Tensor img) {
        if (DataRandom.generator().nextFloat() < (float) p) return hflip(img);
        return img;
    }

    /** {@code F.hflip}: mirrors the width axis. */
    public static Tensor hflip(Tensor img) {
        return Img.of(img, "hflip").hflip().toTensor();
    }

    @Override
    public String toString() { return "RandomHorizontalFlip(p=" + p + ")"; }
}
