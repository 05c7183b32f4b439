package dev.kindling.autograd.internal;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.autograd.Function;
import dev.kindling.api.autograd.GradFn;
import dev.kindling.api.autograd.RemovableHandle;
import dev.kindling.kernel.ops.OpRuntime;
import dev.kindling.kernel.ops.Attrs;
import dev.kindling.kernel.ops.DispatchLayer;
import dev.kindling.kernel.ops.OpDef;
import dev.kindling.kernel.ops.GradientEngine;
import dev.kindling.kernel.ops.DenseTensor;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/**
 * The autograd engine: the kernel hands it every differentiable op; it runs the op's forward below itself and, when
 * an input requires grad and grad mode is on, records a node with the op's row of {@link Derivatives}. Stateless
 * apart from what it keeps on tensors, so bundles may stop and start it at any time.
 */
@Component(service = GradientEngine.class)
public class AutogradEngine implements GradientEngine {

    private static DenseTensor d(Tensor t) { return (DenseTensor) t; }

    @Override
    public boolean requiresGrad(DenseTensor t) {
        Meta m = Meta.of(t);
        return m != null && (m.requiresGrad || m.gradFn != null);
    }

    private boolean anyRequiresGrad(Tensor[] inputs) {
        for (Tensor t : inputs) if (t != null && requiresGrad(d(t))) return true;
        return false;
    }

    @Override
    public Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs, DispatchLayer.Below below) {
        OpRuntime kernel = d(inputs[0]).kernel();
        boolean gradMode = kernel.isGradEnabled();
        if (op.isInPlace() && gradMode) checkInPlace(d(inputs[0]));
        if (!gradMode || !anyRequiresGrad(inputs)) return below.call(op, inputs, attrs);

        Derivative der = Derivatives.get(op);
        if (der == null) throw new IllegalStateException("the derivative for '" + op.name() + "' is not implemented");
        Tensor[] saved = inputs;
        if (op.isInPlace() && der.savesInput(0)) {
            saved = inputs.clone();
            saved[0] = inputs[0].clone(); // the value before the op, with its history (for double backward)
        }
        Edge[] edges = new Edge[inputs.length];
        for (int i = 0; i < inputs.length; i++) edges[i] = inputs[i] == null ? null : Engine.gradEdge(d(inputs[i]));
        Tensor[] outs;
        boolean prev = kernel.setGradEnabled(false);
        try {
            outs = below.call(op, inputs, attrs);
        } finally {
            kernel.setGradEnabled(prev);
        }
        OpNode node = new OpNode(der, attrs, edges, inputs, saved, outs.length);
        if (op.isInPlace()) {
            DenseTensor self = d(inputs[0]);
            if (self.isView()) rebaseView(self, node);
            else setHistory(self, node, 0);
        } else {
            for (int i = 0; i < outs.length; i++) {
                if (outs[i].dtype().isFloatingPoint()) setHistory(d(outs[i]), node, i);
            }
        }
        node.saveOutputs(outs);
        return outs;
    }

    private void checkInPlace(DenseTensor self) {
        Meta m = Meta.of(self);
        if (m != null && m.gradFn == null && m.requiresGrad) {
            throw new IllegalStateException("a leaf Variable that requires grad is being used in an in-place operation.");
        }
        DenseTensor base = self.base();
        if (base != null) {
            Meta bm = Meta.of(base);
            if (bm != null && bm.gradFn == null && bm.requiresGrad) {
                throw new IllegalStateException("a view of a leaf Variable that requires grad is being used in an in-place operation.");
            }
        }
    }

    private static void setHistory(DenseTensor t, Node node, int outputNr) {
        Meta m = Meta.getOrCreate(t);
        synchronized (m) {
            m.gradFn = node;
            m.outputNr = outputNr;
        }
    }

    private void rebaseView(DenseTensor view, OpNode node) {
        DenseTensor base = view.base();
        if (!base.isContiguous() || base.storageOffset() != 0) {
            throw new UnsupportedOperationException("in-place op on a view of a non-contiguous base is not supported by autograd");
        }
        ViewNodes.Geometry geo = new ViewNodes.Geometry(view.shape(), view.stride(), view.storageOffset(), base.shape(), base.dtype());
        ViewNodes.CopySlices cs = new ViewNodes.CopySlices(Engine.gradEdge(base), geo, node);
        setHistory(base, cs, 0);
        setHistory(view, new ViewNodes.AsStrided(new Edge(cs, 0), geo), 0);
    }

    @Override
    public void setRequiresGrad(DenseTensor t, boolean requiresGrad) {
        Meta m = Meta.of(t);
        if (m != null && m.gradFn != null) {
            if (!requiresGrad) {
                throw new IllegalStateException("you can only change requires_grad flags of leaf variables. If you want to use a computed "
                        + "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
            }
            return;
        }
        if (requiresGrad && !t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("only Tensors of floating point and complex dtype can require gradients (got " + t.dtype() + ")");
        }
        if (!requiresGrad && m == null) return;
        Meta.getOrCreate(t).requiresGrad = requiresGrad;
    }

    @Override
    public Tensor grad(DenseTensor t) {
        Meta m = Meta.of(t);
        return m == null ? null : m.grad;
    }

    @Override
    public void setGrad(DenseTensor t, Tensor grad) {
        if (grad != null && !java.util.Arrays.equals(grad.shape(), t.shape())) {
            throw new IllegalArgumentException("assigned grad has data of a different size: " + java.util.Arrays.toString(grad.shape())
                    + " vs the tensor's " + java.util.Arrays.toString(t.shape()));
        }
        Meta m = Meta.getOrCreate(t);
        synchronized (m) {
            m.grad = grad;
        }
    }

    @Override
    public GradFn gradFn(DenseTensor t) {
        Meta m = Meta.of(t);
        return m == null ? null : m.gradFn;
    }

    @Override
    public boolean isLeaf(DenseTensor t) {
        Meta m = Meta.of(t);
        return m == null || m.gradFn == null;
    }

    @Override
    public void retainGrad(DenseTensor t) {
        Meta m = Meta.of(t);
        if (m == null || (!m.requiresGrad && m.gradFn == null)) {
            throw new IllegalStateException("can't retain_grad on Tensor that has requires_grad=False");
        }
        if (m.gradFn == null || m.retainsGrad) return;
        m.retainsGrad = true;
        m.gradFn.addPreHook(m.outputNr, g -> {
            synchronized (m) {
                m.grad = m.grad == null ? g.detach().clone() : m.grad.add(g.detach());
            }
            return g;
        });
    }

    @Override
    public boolean retainsGrad(DenseTensor t) {
        Meta m = Meta.of(t);
        return m != null && m.retainsGrad;
    }

    @Override
    public void backward(DenseTensor t, Tensor gradient, boolean retainGraph, boolean createGraph) {
        Edge root = Engine.gradEdge(t);
        if (root == null) {
            throw new IllegalStateException("element 0 of tensors does not require grad and does not have a grad_fn");
        }
        Tensor g = gradient;
        if (g == null) {
            if (t.numel() != 1) throw new IllegalStateException("grad can be implicitly created only for scalar outputs");
            g = Torch.onesLike(t);
        } else if (!java.util.Arrays.equals(g.shape(), t.shape())) {
            throw new IllegalArgumentException("Mismatch in shape: grad_output[0] has a shape of " + java.util.Arrays.toString(g.shape())
                    + " and output[0] has a shape of " + java.util.Arrays.toString(t.shape()) + ".");
        }
        Engine.run(t.kernel(), new Edge[] {root}, new Tensor[] {g}, retainGraph || createGraph, createGraph, null);
    }

    @Override
    public RemovableHandle registerHook(DenseTensor t, java.util.function.Function<Tensor, Tensor> hook) {
        Meta m = Meta.of(t);
        if (m == null || (!m.requiresGrad && m.gradFn == null)) {
            throw new IllegalStateException("cannot register a hook on a tensor that doesn't require gradient");
        }
        if (m.gradFn != null) {
            Runnable remove = m.gradFn.addPreHook(m.outputNr, hook);
            return remove::run;
        }
        AccumulateGrad acc = (AccumulateGrad) Engine.gradEdge(t).node();
        acc.hooks.add(hook);
        return () -> acc.hooks.remove(hook);
    }

    @Override
    public RemovableHandle registerPostAccumulateGradHook(DenseTensor t, java.util.function.Consumer<Tensor> hook) {
        Meta m = Meta.of(t);
        if (m != null && m.gradFn != null) throw new IllegalStateException("post accumulate grad hooks cannot be registered on non-leaf tensors");
        if (m == null || !m.requiresGrad) {
            throw new IllegalStateException("cannot register a hook on a tensor that doesn't require gradient");
        }
        AccumulateGrad acc = (AccumulateGrad) Engine.gradEdge(t).node();
        acc.postAccumulateHooks.add(hook);
        return () -> acc.postAccumulateHooks.remove(hook);
    }

    @Override
    public List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                             boolean retainGraph, boolean createGraph, boolean allowUnused) {
        if (outputs.isEmpty()) throw new IllegalArgumentException("grad requires at least one output");
        if (gradOutputs != null && gradOutputs.size() != outputs.size()) {
            throw new IllegalArgumentException("grad requires one gradient per output: got " + gradOutputs.size() + " for "
                    + outputs.size() + " outputs");
        }
        Edge[] roots = new Edge[outputs.size()];
        Tensor[] grads = new Tensor[outputs.size()];
        for (int i = 0; i < roots.length; i++) {
            DenseTensor o = d(outputs.get(i));
            roots[i] = Engine.gradEdge(o);
            if (roots[i] == null) {
                throw new IllegalStateException("element " + i + " of tensors does not require grad and does not have a grad_fn");
            }
            Tensor g = gradOutputs == null ? null : gradOutputs.get(i);
            if (g == null) {
                if (o.numel() != 1) throw new IllegalStateException("grad can be implicitly created only for scalar outputs");
                g = Torch.onesLike(o);
            }
            grads[i] = g;
        }
        Edge[] captures = new Edge[inputs.size()];
        for (int i = 0; i < captures.length; i++) {
            captures[i] = Engine.gradEdge(d(inputs.get(i)));
            if (captures[i] == null) throw new IllegalStateException("One of the differentiated Tensors does not require grad");
        }
        Tensor[] result = Engine.run(d(outputs.get(0)).kernel(), roots, grads, retainGraph || createGraph, createGraph, captures);
        for (int i = 0; i < result.length; i++) {
            if (result[i] == null && !allowUnused) {
                throw new IllegalStateException("One of the differentiated Tensors appears to not have been used in the graph. "
                        + "Set allow_unused=True if this is the desired behavior.");
            }
        }
        return java.util.Arrays.asList(result);
    }

    @Override
    public Tensor apply(Function function, Tensor[] inputs) {
        OpRuntime kernel = d(inputs[0]).kernel();
        boolean record = kernel.isGradEnabled() && anyRequiresGrad(inputs);
        boolean[] needs = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) needs[i] = record && inputs[i] != null && requiresGrad(d(inputs[i]));
        FunctionNode.Ctx ctx = new FunctionNode.Ctx(needs);
        Tensor out;
        boolean prev = kernel.setGradEnabled(false);
        try {
            out = function.forward(ctx, inputs);
        } finally {
            kernel.setGradEnabled(prev);
        }
        if (!record || ctx.isNonDifferentiable(out) || !out.dtype().isFloatingPoint()) return out;
        for (Tensor in : inputs) {
            if (in == out) {
                out = d(out).shallowCopy(); // an input returned as is: give the output its own history
                break;
            }
        }
        Edge[] edges = new Edge[inputs.length];
        for (int i = 0; i < inputs.length; i++) edges[i] = needs[i] ? Engine.gradEdge(d(inputs[i])) : null;
        FunctionNode node = new FunctionNode(function, ctx, edges, inputs);
        Meta m = Meta.getOrCreate(d(out));
        m.gradFn = node;
        m.outputNr = 0;
        return out;
    }

    @Override
    public boolean gradcheck(java.util.function.Function<Tensor[], Tensor> fn, Tensor[] inputs, double eps, double atol, double rtol) {
        return GradCheck.check(this, fn, inputs, eps, atol, rtol);
    }
}
