package dev.kindling.datasets;

import dev.kindling.api.Tensor;
import dev.kindling.data.transforms.Transform;
import dev.kindling.datasets.embedded.DigitsDataset;

/**
 * The UCI 8x8 handwritten digits (scikit-learn's {@code load_digits}), shipped with Kindling: 1,797 samples, input a
 * FLOAT32 vector of 64 pixel values in 0..16, target a 0-dim INT64 digit. CC BY 4.0, see {@link #notice()}.
 */
public class Digits extends DigitsDataset {
    public Digits() { super(null, null); }

    public Digits(Transform<Tensor, Tensor> transform) { super(transform, null); }

    public Digits(Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) { super(transform, targetTransform); }
}
