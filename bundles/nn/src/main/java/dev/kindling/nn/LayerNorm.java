package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import dev.kindling.nn.internal.Py;

/** Normalises over the trailing {@code normalizedShape} dimensions, with elementwise affine weight (1) and bias (0). */
public class LayerNorm extends Module {
    private final long[] normalizedShape;
    private final double eps;
    private final boolean elementwiseAffine;

    public LayerNorm(int normalizedShape) { this(new long[] {normalizedShape}, 1e-5, true); }

    public LayerNorm(long[] normalizedShape) { this(normalizedShape, 1e-5, true); }

    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.elementwiseAffine = elementwiseAffine;
        registerParameter("weight", elementwiseAffine ? Torch.ones(normalizedShape) : null);
        registerParameter("bias", elementwiseAffine ? Torch.zeros(normalizedShape) : null);
    }

    public Tensor weight() { return parameter("weight"); }

    public Tensor bias() { return parameter("bias"); }

    public long[] normalizedShape() { return normalizedShape.clone(); }

    public double eps() { return eps; }

    public boolean elementwiseAffine() { return elementwiseAffine; }

    @Override
    public Tensor forward(Tensor x) { return F.layerNorm(x, normalizedShape, weight(), bias(), eps); }

    @Override
    public String extraRepr() {
        return Py.tuple(normalizedShape) + ", eps=" + Py.repr(eps) + ", elementwise_affine=" + Py.repr(elementwiseAffine);
    }
}
