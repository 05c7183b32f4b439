package dev.kindling.autograd.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.DenseTensor;

/**
 * In-place ops on views (PyTorch's CopySlices): the base's history becomes "the old base, with the op applied to the
 * view's slice", and the view's history reads its slice of the base's gradient.
 */
final class ViewNodes {
    private ViewNodes() {}

    /** Where a view sits in its (contiguous, offset-0) base. */
    record Geometry(long[] shape, long[] strides, long offset, long[] baseShape, DType dtype) {
        Tensor slice(Tensor baseGrad) {
            return ((DenseTensor) baseGrad).asView(shape, strides, offset);
        }
    }

    /** The base's node after an in-place op on one of its views. */
    static final class CopySlices extends Node {
        private final Geometry geo;
        private final OpNode fn;

        CopySlices(Edge baseEdge, Geometry geo, OpNode fn) {
            super(edges(baseEdge, fn), 1);
            this.geo = geo;
            this.fn = fn;
        }

        private static Edge[] edges(Edge baseEdge, OpNode fn) {
            Edge[] e = fn.next.clone();
            e[0] = baseEdge;
            return e;
        }

        @Override public String name() { return "CopySlices"; }

        @Override
        Tensor[] apply(Tensor[] gradOutputs) {
            Tensor result = gradOutputs[0].clone();
            Tensor slice = geo.slice(result);
            Tensor[] res = fn.apply(new Tensor[] {slice.clone()});
            if (res[0] != null) slice.copy_(res[0]);
            else slice.zero_();
            Tensor[] out = res.clone();
            out[0] = result;
            return out;
        }

        @Override void release() { fn.release(); }
    }

    /** A view's history after an in-place op on it: its slice of the base's gradient. */
    static final class AsStrided extends Node {
        private final Geometry geo;

        AsStrided(Edge baseEdge, Geometry geo) {
            super(new Edge[] {baseEdge}, 1);
            this.geo = geo;
        }

        @Override public String name() { return "AsStridedBackward0"; }

        @Override
        Tensor[] apply(Tensor[] gradOutputs) {
            Tensor base = Torch.zeros(geo.baseShape(), gradOutputs[0].dtype(), gradOutputs[0].device());
            geo.slice(base).copy_(gradOutputs[0]);
            return new Tensor[] {base};
        }
    }
}
