package dev.kindling.distributed.internal;

import dev.kindling.api.DType;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.autograd.GradFn;
import dev.kindling.api.autograd.RemovableHandle;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.distributed.ReduceOp;
import dev.kindling.distributed.Work;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DDP's gradient reducer, with PyTorch's rules: parameters go into buckets in reverse registration order (the order
 * their gradients become ready), per dtype, a bucket closing once it holds at least its limit (the first one
 * {@code firstBucketBytes}, the others {@code bucketCapBytes}). Each parameter's post-accumulate-grad hook marks it
 * ready; a bucket whose parameters are all ready is copied into one flat buffer and all-reduced asynchronously,
 * always in bucket-index order, so every rank issues the same collectives in the same order. When the last bucket
 * has been launched, the reducer waits for all of them, divides by the world size and writes the averages back
 * into the gradients, before backward returns.
 */
public final class Reducer {
    /** One bucket: its parameters (indices into {@link #params}) and their offsets in its flat buffer. */
    static final class Bucket {
        final DType dtype;
        final List<Integer> params = new ArrayList<>();
        final List<Integer> offsets = new ArrayList<>();
        int length;
        int pending;
        /**
         * The flat buffer the bucket is reduced in, every iteration: a double[] or float[] of {@link #length}, or for
         * float32 buckets of a {@link DefaultProcessGroup} a direct FloatBuffer, which native backends reduce where it
         * is (staging a Java array into native memory and back cost about as much as the transfer itself).
         */
        Object buffer;
        Work work;

        Bucket(DType dtype) { this.dtype = dtype; }

        /**
         * {@code [offset, offset + n)} of the flat buffer as a buffer of its own, which gradients are copied into and
         * back out of with {@link Tensor#copyTo(Buffer)} and {@link Tensor#copy_(Buffer)}: no array in between.
         */
        Buffer part(int offset, int n) {
            if (buffer instanceof FloatBuffer direct) return direct.slice(offset, n);
            if (buffer instanceof float[] a) return FloatBuffer.wrap(a, offset, n);
            return DoubleBuffer.wrap((double[]) buffer, offset, n);
        }

        long bytes() { return (long) length * (dtype == DType.FLOAT64 ? 8 : 4); }
    }

    private final ProcessGroup pg;
    private final List<Tensor> params;
    private final List<String> names;
    private final List<Bucket> buckets = new ArrayList<>();
    private final int[] bucketOf;
    private final boolean overlap;
    private final boolean findUnused;
    private final List<RemovableHandle> hooks = new ArrayList<>();
    private final Map<GradFn, Integer> accumulators = new IdentityHashMap<>();
    // per iteration
    private boolean expectingBackward;
    private boolean[] ready;
    private boolean[] locallyUsed;
    private int nextToLaunch;

    public Reducer(ProcessGroup pg, Map<String, Tensor> namedParams, long firstBucketBytes, long bucketCapBytes, boolean overlap, boolean findUnused) {
        this.pg = pg;
        this.overlap = overlap;
        this.findUnused = findUnused;
        this.params = new ArrayList<>();
        this.names = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : namedParams.entrySet()) {
            Tensor p = e.getValue();
            if (!p.requiresGrad()) continue;
            if (p.dtype() != DType.FLOAT32 && p.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("DistributedDataParallel: parameter " + e.getKey() + " is " + p.dtype() + "; float32 and float64 parameters are supported");
            }
            if (!p.device().isCpu()) {
                throw new IllegalArgumentException("DistributedDataParallel: parameter " + e.getKey() + " is on " + p.device() + "; the gloo and local backends reduce CPU tensors");
            }
            params.add(p);
            names.add(e.getKey());
        }
        this.bucketOf = new int[params.size()];
        assignBuckets(firstBucketBytes, bucketCapBytes);
        for (int i = 0; i < params.size(); i++) {
            int index = i;
            hooks.add(params.get(i).registerPostAccumulateGradHook(p -> markReady(index, true)));
            if (findUnused) {
                // PyTorch's trick: the AccumulateGrad node of a leaf is the next function of a view of it
                GradFn view = params.get(i).viewAs(params.get(i)).gradFn();
                if (view != null && !view.nextFunctions().isEmpty() && view.nextFunctions().get(0) != null) {
                    accumulators.put(view.nextFunctions().get(0), i);
                }
            }
        }
    }

    private void assignBuckets(long firstBucketBytes, long bucketCapBytes) {
        Map<DType, Bucket> open = new LinkedHashMap<>();
        Map<DType, Integer> closedPerDtype = new LinkedHashMap<>();
        for (int i = params.size() - 1; i >= 0; i--) {
            Tensor p = params.get(i);
            Bucket b = open.computeIfAbsent(p.dtype(), Bucket::new);
            b.params.add(i);
            b.offsets.add(b.length);
            b.length = Math.addExact(b.length, Math.toIntExact(p.numel()));
            long limit = closedPerDtype.getOrDefault(p.dtype(), 0) == 0 ? firstBucketBytes : bucketCapBytes;
            if (b.bytes() >= limit) {
                buckets.add(b);
                open.remove(p.dtype());
                closedPerDtype.merge(p.dtype(), 1, Integer::sum);
            }
        }
        buckets.addAll(open.values());
        boolean direct = pg instanceof DefaultProcessGroup;
        for (Bucket b : buckets) {
            if (b.dtype == DType.FLOAT64) {
                b.buffer = new double[b.length];
            } else if (direct) {
                b.buffer = ByteBuffer.allocateDirect(Math.multiplyExact(b.length, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
            } else {
                b.buffer = new float[b.length];
            }
        }
        for (int b = 0; b < buckets.size(); b++) for (int i : buckets.get(b).params) bucketOf[i] = b;
    }

    /** The parameter names of each bucket, in bucket order (for tests and logs). */
    public List<List<String>> bucketParameterNames() {
        List<List<String>> out = new ArrayList<>();
        for (Bucket b : buckets) out.add(b.params.stream().map(names::get).toList());
        return out;
    }

    /**
     * Called at each forward that will be followed by a synchronised backward. Fails, as PyTorch does, if the previous
     * iteration's reduction never finished (a parameter received no gradient).
     */
    public synchronized void prepareForBackward(List<Tensor> outputs) {
        if (expectingBackward && ready != null && anyReady()) {
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) if (!ready[i]) missing.add(names.get(i));
            abandon();
            throw new IllegalStateException("Expected to have finished reduction in the prior iteration before starting a new one. "
                    + "This error indicates that your module has parameters that were not used in producing loss. You can enable unused "
                    + "parameter detection with DdpOptions.findUnusedParameters(true). Parameters which did not receive grad for rank "
                    + pg.rank() + ": " + String.join(", ", missing));
        }
        abandon();
        expectingBackward = true;
        ready = new boolean[params.size()];
        locallyUsed = new boolean[params.size()];
        nextToLaunch = 0;
        for (Bucket b : buckets) {
            b.pending = b.params.size();
            b.work = null;
        }
        if (findUnused) markUnused(outputs);
    }

    /** Waits for in-flight work of an abandoned iteration, so its buffers are not written later. */
    private void abandon() {
        for (Bucket b : buckets) {
            if (b.work != null) {
                try {
                    b.work.await();
                } catch (RuntimeException ignored) {
                    // the group reports it again at the next collective
                }
                b.work = null;
            }
        }
    }

    /** Marks parameters the outputs do not depend on as ready, walking the autograd graph from the outputs. */
    private void markUnused(List<Tensor> outputs) {
        Set<GradFn> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<GradFn> stack = new ArrayDeque<>();
        for (Tensor t : outputs) {
            if (t.gradFn() != null) stack.push(t.gradFn());
        }
        boolean[] used = new boolean[params.size()];
        while (!stack.isEmpty()) {
            GradFn f = stack.pop();
            if (!seen.add(f)) continue;
            Integer p = accumulators.get(f);
            if (p != null) used[p] = true;
            for (GradFn n : f.nextFunctions()) if (n != null) stack.push(n);
        }
        // a parameter that is itself an output
        for (Tensor t : outputs) for (int i = 0; i < params.size(); i++) if (t == params.get(i)) used[i] = true;
        for (int i = 0; i < params.size(); i++) if (!used[i]) markReady(i, false);
    }

    private synchronized void markReady(int index, boolean hasGrad) {
        if (!expectingBackward) return; // noSync, eval, or a backward without a DDP forward
        if (ready[index]) {
            throw new IllegalStateException("DistributedDataParallel: parameter " + names.get(index) + " was marked ready twice in one iteration "
                    + "(a second backward through the same forward needs noSync(), or reentrant backward is not supported)");
        }
        ready[index] = true;
        locallyUsed[index] = hasGrad;
        Bucket b = buckets.get(bucketOf[index]);
        if (--b.pending > 0) return;
        if (overlap) {
            while (nextToLaunch < buckets.size() && buckets.get(nextToLaunch).pending == 0) launch(buckets.get(nextToLaunch++));
        } else if (allPending() == 0) {
            while (nextToLaunch < buckets.size()) launch(buckets.get(nextToLaunch++));
        }
        if (nextToLaunch == buckets.size()) finish();
    }

    private boolean anyReady() {
        for (boolean b : ready) if (b) return true;
        return false;
    }

    private int allPending() {
        int n = 0;
        for (Bucket b : buckets) n += b.pending;
        return n;
    }

    /**
     * Copies the bucket's gradients into its flat buffer (zeros for a parameter this rank did not use) and starts its
     * all-reduce. The buffer is the one of every iteration: the previous ones' reductions have all been awaited (finish,
     * or abandon for an iteration cut short), so nothing still reads or writes it.
     */
    private void launch(Bucket b) {
        for (int k = 0; k < b.params.size(); k++) {
            int i = b.params.get(k), off = b.offsets.get(k), n = (int) params.get(i).numel();
            Tensor g = locallyUsed[i] ? params.get(i).grad() : null;
            if (g != null) g.copyTo(b.part(off, n));
            else zero(b, off, n);
        }
        if (b.buffer instanceof double[] buf) {
            b.work = pg instanceof DefaultProcessGroup d ? d.allReduceUnchecked(buf, ReduceOp.SUM) : pg.allReduce(buf, ReduceOp.SUM);
        } else if (b.buffer instanceof FloatBuffer buf) {
            b.work = ((DefaultProcessGroup) pg).allReduceUnchecked(buf, ReduceOp.SUM);
        } else {
            // a process group other than DefaultProcessGroup (assignBuckets gives that one direct buffers)
            b.work = pg.allReduce((float[]) b.buffer, ReduceOp.SUM);
        }
    }

    private static void zero(Bucket b, int off, int n) {
        if (b.buffer instanceof double[] a) Arrays.fill(a, off, off + n, 0.0);
        else if (b.buffer instanceof float[] a) Arrays.fill(a, off, off + n, 0f);
        else for (int i = off; i < off + n; i++) ((FloatBuffer) b.buffer).put(i, 0f);
    }

    /** End of backward: wait for every bucket, average, write back. */
    private void finish() {
        expectingBackward = false;
        boolean[] globallyUsed = null;
        if (findUnused) {
            long[] used = new long[params.size()];
            for (int i = 0; i < used.length; i++) used[i] = locallyUsed[i] ? 1 : 0;
            pg.allReduce(used, ReduceOp.MAX).await();
            globallyUsed = new boolean[used.length];
            for (int i = 0; i < used.length; i++) globallyUsed[i] = used[i] != 0;
        }
        int world = pg.size();
        try (GradMode ignored = Torch.noGrad()) {
            for (Bucket b : buckets) {
                b.work.await();
                b.work = null;
                // each gradient is read straight out of the reduced buffer and averaged where it lies
                for (int k = 0; k < b.params.size(); k++) {
                    int i = b.params.get(k);
                    if (globallyUsed != null && !globallyUsed[i]) continue; // nobody used it: its grad stays as it was
                    Tensor p = params.get(i);
                    Buffer part = b.part(b.offsets.get(k), (int) p.numel());
                    if (p.grad() == null) p.setGrad(Torch.empty(p.dtype(), p.shape()).copy_(part).div_(world));
                    else p.grad().data().copy_(part).div_(world);
                }
            }
        }
    }

    public void removeHooks() {
        for (RemovableHandle h : hooks) h.remove();
        hooks.clear();
    }
}
