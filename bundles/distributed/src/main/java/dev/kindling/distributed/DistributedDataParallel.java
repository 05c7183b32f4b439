package dev.kindling.distributed;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.distributed.internal.Reducer;
import dev.kindling.nn.Module;

import java.util.ArrayList;
import java.util.List;

/**
 * Data-parallel training of a module, as PyTorch's {@code DistributedDataParallel}: each rank runs the module on its
 * share of the batch, and backward leaves every rank with the gradients averaged over all ranks, so identical
 * optimizer steps keep the replicas identical. At construction rank 0's parameters and buffers are broadcast to all
 * ranks. Gradients are reduced in buckets (reverse parameter order, 1 MB first, 25 MB after), each all-reduced as
 * soon as its gradients are ready while backward goes on; backward returns once all are reduced and averaged. With
 * {@code broadcastBuffers} (the default) rank 0's buffers overwrite the others' at every training forward.
 *
 * <pre>{@code
 * Dist.initProcessGroup("gloo");
 * var ddp = new DistributedDataParallel(model);
 * var opt = new SGD(ddp.parameters(), 0.1);
 * for (Batch b : loader) { opt.zeroGrad(); loss.forward(ddp.forward(b.inputs()), b.targets()).backward(); opt.step(); }
 * }</pre>
 * Its state dict has the wrapped module's keys under {@code module.}, as PyTorch's.
 */
public class DistributedDataParallel extends Module {
    private final Module module;
    private final ProcessGroup group;
    private final DdpOptions options;
    private final Reducer reducer;
    private volatile boolean requireGradSync = true;

    /** Over the default process group with PyTorch's defaults. */
    public DistributedDataParallel(Module module) { this(module, DdpOptions.defaults()); }

    public DistributedDataParallel(Module module, DdpOptions options) {
        this.module = module;
        this.options = options;
        this.group = options.processGroup() != null ? options.processGroup() : Dist.group();
        syncModuleStates();
        this.reducer = new Reducer(group, module.namedParameters(), options.firstBucketBytes(), options.bucketCapBytes(),
                options.overlap(), options.findUnusedParameters());
    }

    /** The wrapped module ({@code ddp.module}). */
    public Module module() { return module; }

    public ProcessGroup processGroup() { return group; }

    /** The parameter names of each gradient bucket, in the order the buckets are reduced. */
    public List<List<String>> bucketParameterNames() { return reducer.bucketParameterNames(); }

    /** Rank 0's parameters and buffers, to every rank (PyTorch's {@code _sync_module_states}). */
    private void syncModuleStates() {
        List<Work> pending = new ArrayList<>();
        for (Tensor t : module.parameters()) pending.add(group.broadcast(t, 0));
        for (Tensor t : module.buffers()) pending.add(group.broadcast(t, 0));
        for (Work w : pending) w.await();
    }

    @Override
    public Tensor forward(Tensor x) { return forward(new Tensor[] {x}); }

    @Override
    public Tensor forward(Tensor... inputs) {
        // the wrapped module's mode decides, so that model.train()/eval() on it is enough
        boolean training = module.isTraining();
        if (training && options.broadcastBuffers() && group.size() > 1) {
            List<Work> pending = new ArrayList<>();
            for (Tensor b : module.buffers()) pending.add(group.broadcast(b, 0));
            for (Work w : pending) w.await();
        }
        Tensor out = module.forward(inputs);
        if (training && requireGradSync && Torch.isGradEnabled()) reducer.prepareForBackward(List.of(out));
        return out;
    }

    /**
     * PyTorch's {@code no_sync()}: backward passes inside accumulate gradients locally without communicating; the
     * first synchronised backward after it reduces the accumulated gradients.
     * <pre>{@code try (var ns = ddp.noSync()) { loss(ddp.forward(x1)).backward(); } loss(ddp.forward(x2)).backward(); }</pre>
     */
    public NoSync noSync() {
        boolean previous = requireGradSync;
        requireGradSync = false;
        return new NoSync(this, previous);
    }

    /** What {@link #noSync()} returns: closing it turns gradient synchronisation back on. */
    public static final class NoSync implements AutoCloseable {
        private final DistributedDataParallel ddp;
        private final boolean previous;

        private NoSync(DistributedDataParallel ddp, boolean previous) {
            this.ddp = ddp;
            this.previous = previous;
        }

        @Override
        public void close() { ddp.requireGradSync = previous; }
    }

    /** Removes the gradient hooks from the module's parameters (the module can then be used without DDP again). */
    public void detachFromModule() { reducer.removeHooks(); }

    @Override
    protected String typeName() { return "DistributedDataParallel"; }
}
