package dev.kindling.datasets;

import dev.kindling.api.Tensor;
import dev.kindling.data.transforms.Transform;
import dev.kindling.datasets.embedded.IrisDataset;

/**
 * Fisher's Iris (scikit-learn's {@code load_iris}), shipped with Kindling: 150 samples, input a FLOAT32 vector of 4
 * measurements in cm, target a 0-dim INT64 class index (setosa, versicolor, virginica). CC BY 4.0, see
 * {@link #notice()}.
 */
public class Iris extends IrisDataset {
    public Iris() { super(null, null); }

    public Iris(Transform<Tensor, Tensor> transform) { super(transform, null); }

    public Iris(Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) { super(transform, targetTransform); }
}
