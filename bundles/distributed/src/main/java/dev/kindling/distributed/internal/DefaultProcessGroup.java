package dev.kindling.distributed.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.distributed.DistributedException;
import dev.kindling.distributed.DistributedTimeoutException;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.distributed.ReduceOp;
import dev.kindling.distributed.Work;
import dev.kindling.distributed.spi.Collectives;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A process group over a backend's {@link Collectives}: runs collectives in issue order on one thread, checks that all
 * ranks issued the same one with the same shapes and dtypes, converts tensors to host buffers, and turns the first
 * failure into a broken group whose error names the lost rank where it is known.
 */
public final class DefaultProcessGroup implements ProcessGroup {
    private static final int FINGERPRINT = 12;
    private static final int MAX_DIMS = 6;
    private static final String[] OP_NAMES = {"?", "allReduce", "broadcast", "allGather", "barrier"};

    private final String backendName;
    private final int rank;
    private final int size;
    private final Duration timeout;
    private final boolean checkCollectives;
    private final Collectives collectives;
    private final Supplier<OptionalInt> lostRank;
    private final Runnable onClose;
    private final ExecutorService worker;
    private volatile String brokenReason;
    private volatile int brokenLostRank = -1;
    private volatile boolean closed;
    private long seq;

    /**
     * @param lostRank asks the rendezvous which rank was lost (empty when unknown); called after a failure
     * @param onClose releases what the rendezvous opened (its store), after the backend is closed
     */
    public DefaultProcessGroup(String backendName, int rank, int size, Duration timeout, boolean checkCollectives,
                               Collectives collectives, Supplier<OptionalInt> lostRank, Runnable onClose) {
        this.backendName = backendName;
        this.rank = rank;
        this.size = size;
        this.timeout = timeout;
        this.checkCollectives = checkCollectives;
        this.collectives = collectives;
        this.lostRank = lostRank;
        this.onClose = onClose;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kindling-dist-" + backendName + "-rank" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    @Override public int rank() { return rank; }
    @Override public int size() { return size; }
    @Override public String backend() { return backendName; }
    @Override public Duration timeout() { return timeout; }
    @Override public boolean isBroken() { return brokenReason != null || closed; }

    // ---------------------------------------------------------------- collectives

    @Override
    public Work allReduce(Tensor tensor, ReduceOp op) {
        HostArrays.requireSupported(tensor, "allReduce");
        if (op == ReduceOp.AVG && !tensor.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("allReduce: ReduceOp.AVG needs a floating-point tensor, got " + tensor.dtype());
        }
        long[] fp = fingerprint(1, tensor.dtype(), tensor.shape(), op.ordinal());
        return submit("allReduce", fp, () -> {
            Object buf = HostArrays.read(tensor);
            reduce(buf, op);
            HostArrays.write(tensor, buf);
        });
    }

    @Override public Work allReduce(float[] buffer, ReduceOp op) { return allReduceBuffer(buffer, op); }
    @Override public Work allReduce(double[] buffer, ReduceOp op) { return allReduceBuffer(buffer, op); }
    @Override public Work allReduce(long[] buffer, ReduceOp op) { return allReduceBuffer(buffer, op); }

    private Work allReduceBuffer(Object buffer, ReduceOp op) {
        DType dtype = HostArrays.dtypeOf(buffer);
        if (op == ReduceOp.AVG && !dtype.isFloatingPoint()) throw new IllegalArgumentException("allReduce: ReduceOp.AVG needs a floating-point buffer, got " + dtype);
        long[] fp = fingerprint(1, dtype, new long[] {HostArrays.length(buffer)}, op.ordinal());
        return submit("allReduce", fp, checkCollectives, () -> reduce(buffer, op));
    }

    /**
     * An all-reduce without the cross-rank check, for callers that made sure all ranks agree (DDP's buckets, laid
     * out identically on every rank from parameters whose shapes the construction broadcast checked): one round trip
     * per bucket instead of two, as in PyTorch, which checks shapes at construction only.
     */
    public Work allReduceUnchecked(float[] buffer, ReduceOp op) {
        long[] fp = fingerprint(1, DType.FLOAT32, new long[] {buffer.length}, op.ordinal());
        return submit("allReduce", fp, false, () -> reduce(buffer, op));
    }

    /** {@link #allReduceUnchecked(float[], ReduceOp)} of a direct buffer, which native backends reduce in place. */
    public Work allReduceUnchecked(java.nio.FloatBuffer direct, ReduceOp op) {
        if (op == ReduceOp.AVG) throw new IllegalArgumentException("allReduceUnchecked: a direct buffer is reduced with SUM, MIN, MAX or PRODUCT");
        if (!direct.isDirect() || direct.order() != java.nio.ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("allReduceUnchecked: needs a direct buffer in native byte order"
                    + " (ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer()), got " + (direct.isDirect() ? direct.order() + " order" : "a heap buffer"));
        }
        long[] fp = fingerprint(1, DType.FLOAT32, new long[] {direct.capacity()}, op.ordinal());
        return submit("allReduce", fp, false, () -> {
            if (direct.capacity() > 0) collectives.allReduce(direct, op);
        });
    }

    public Work allReduceUnchecked(double[] buffer, ReduceOp op) {
        long[] fp = fingerprint(1, DType.FLOAT64, new long[] {buffer.length}, op.ordinal());
        return submit("allReduce", fp, false, () -> reduce(buffer, op));
    }

    private void reduce(Object buf, ReduceOp op) {
        if (HostArrays.length(buf) == 0) return;
        collectives.allReduce(buf, op == ReduceOp.AVG ? ReduceOp.SUM : op);
        if (op == ReduceOp.AVG) HostArrays.divide(buf, size);
    }

    @Override
    public Work broadcast(Tensor tensor, int src) {
        HostArrays.requireSupported(tensor, "broadcast");
        requireRank(src, "broadcast src");
        long[] fp = fingerprint(2, tensor.dtype(), tensor.shape(), src);
        return submit("broadcast", fp, () -> {
            Object buf = HostArrays.read(tensor);
            if (HostArrays.length(buf) == 0) return;
            collectives.broadcast(buf, src);
            if (rank != src) HostArrays.write(tensor, buf);
        });
    }

    @Override
    public Work allGather(List<Tensor> out, Tensor in) {
        HostArrays.requireSupported(in, "allGather");
        if (out.size() != size) throw new IllegalArgumentException("allGather: out needs one tensor per rank (" + size + "), got " + out.size());
        for (int r = 0; r < size; r++) {
            Tensor o = out.get(r);
            if (o == null || o.dtype() != in.dtype() || !Arrays.equals(o.shape(), in.shape())) {
                throw new IllegalArgumentException("allGather: out[" + r + "] must be " + describe(in.dtype(), in.shape()) + " like the input, got "
                        + (o == null ? "null" : describe(o.dtype(), o.shape())));
            }
        }
        long[] fp = fingerprint(3, in.dtype(), in.shape(), 0);
        return submit("allGather", fp, () -> {
            Object mine = HostArrays.read(in);
            int n = HostArrays.length(mine);
            Object all = java.lang.reflect.Array.newInstance(mine.getClass().getComponentType(), n * size);
            if (n > 0) collectives.allGather(mine, all);
            for (int r = 0; r < size; r++) {
                Object part = java.lang.reflect.Array.newInstance(mine.getClass().getComponentType(), n);
                System.arraycopy(all, r * n, part, 0, n);
                HostArrays.write(out.get(r), part);
            }
        });
    }

    @Override
    public Work allGather(long[] in, long[] out) {
        if (out.length != (long) in.length * size) {
            throw new IllegalArgumentException("allGather: out must hold " + size + " x " + in.length + " elements, got " + out.length);
        }
        long[] fp = fingerprint(3, DType.INT64, new long[] {in.length}, 0);
        return submit("allGather", fp, () -> { if (in.length > 0) collectives.allGather(in, out); });
    }

    @Override
    public Work barrier() { return submit("barrier", fingerprint(4, null, new long[0], 0), collectives::barrier); }

    private void requireRank(int r, String what) {
        if (r < 0 || r >= size) throw new IllegalArgumentException(what + " must be a rank in [0, " + (size - 1) + "], got " + r);
    }

    // ---------------------------------------------------------------- running and checking

    private static long[] fingerprint(int opCode, DType dtype, long[] shape, int extra) {
        long[] fp = new long[FINGERPRINT];
        fp[0] = opCode;
        fp[1] = dtype == null ? 0 : dtype.ordinal() + 1;
        fp[2] = shape.length;
        for (int i = 0; i < Math.min(MAX_DIMS, shape.length); i++) fp[3 + i] = shape[i];
        fp[9] = Arrays.hashCode(shape);
        fp[10] = extra;
        return fp;
    }

    private static String describeFingerprint(long[] all, int r) {
        int o = r * FINGERPRINT;
        int op = (int) all[o];
        StringBuilder sb = new StringBuilder(op > 0 && op < OP_NAMES.length ? OP_NAMES[op] : "op " + op);
        if (all[o + 1] > 0) {
            int nd = (int) all[o + 2];
            long[] dims = new long[Math.min(nd, MAX_DIMS)];
            for (int i = 0; i < dims.length; i++) dims[i] = all[o + 3 + i];
            String shape = nd <= MAX_DIMS ? Arrays.toString(dims) : nd + "-dim shape starting " + Arrays.toString(dims);
            sb.append(' ').append(DType.values()[(int) all[o + 1] - 1].name().toLowerCase(java.util.Locale.ROOT)).append(shape);
        }
        if (op == 1) sb.append(' ').append(ReduceOp.values()[(int) all[o + 10]]);
        if (op == 2) sb.append(" from rank ").append(all[o + 10]);
        return sb.toString();
    }

    private static String describe(DType dtype, long[] shape) {
        return dtype.name().toLowerCase(java.util.Locale.ROOT) + Arrays.toString(shape);
    }

    private void checkSameCollective(long[] fp, String what) {
        long[] all = new long[FINGERPRINT * size];
        try {
            collectives.allGather(fp, all);
        } catch (DistributedTimeoutException e) {
            throw new DistributedTimeoutException("while checking that all ranks issued it: " + e.getMessage(), e.lostRank().orElse(-1), e);
        } catch (DistributedException e) {
            throw new DistributedException("while checking that all ranks issued it: " + e.getMessage(), e.lostRank().orElse(-1), e);
        }
        boolean same = true;
        for (int r = 1; r < size && same; r++) {
            same = Arrays.equals(all, 0, FINGERPRINT, all, r * FINGERPRINT, (r + 1) * FINGERPRINT);
        }
        if (same) return;
        StringBuilder sb = new StringBuilder(what).append(": the ranks issued different collectives or tensors:");
        for (int r = 0; r < size; r++) sb.append(r == 0 ? " " : "; ").append("rank ").append(r).append(": ").append(describeFingerprint(all, r));
        throw new MismatchException(sb.toString());
    }

    /** All ranks detect a mismatch together; the group stays consistent but the job is wrong, so it breaks too. */
    private static final class MismatchException extends DistributedException {
        private static final long serialVersionUID = 1L;

        MismatchException(String message) { super(message); }
    }

    private Work submit(String opName, long[] fp, Runnable body) { return submit(opName, fp, checkCollectives, body); }

    private synchronized Work submit(String opName, long[] fp, boolean check, Runnable body) {
        long n = ++seq;
        String what = "rank " + rank + ": " + opName + " #" + n;
        WorkHandle work = new WorkHandle();
        if (closed) {
            work.fail(new DistributedException(what + ": the process group was destroyed"));
            return work;
        }
        if (brokenReason != null) {
            work.fail(new DistributedException(what + ": the process group is broken: " + brokenReason, brokenLostRank, null));
            return work;
        }
        worker.execute(() -> {
            if (brokenReason != null) {
                work.fail(new DistributedException(what + ": the process group is broken: " + brokenReason, brokenLostRank, null));
                return;
            }
            try {
                if (check && size > 1) checkSameCollective(fp, what);
                body.run();
                work.succeed();
            } catch (RuntimeException e) {
                work.fail(breakGroup(what, e));
            }
        });
        return work;
    }

    private DistributedException breakGroup(String what, RuntimeException e) {
        int lost = e instanceof DistributedException de ? de.lostRank().orElse(-1) : -1;
        // A timed-out peer is hung, not lost (its connections are open): ask once, without waiting for the master.
        if (lost < 0 && !(e instanceof MismatchException) && !(e instanceof IllegalArgumentException)) {
            lost = askLostRank(e instanceof DistributedTimeoutException ? 0 : 1_000_000_000L);
        }
        String cause = e.getMessage();
        String message = what + " failed" + (lost >= 0 && lost != rank ? ": lost rank " + lost : "") + ": " + cause;
        brokenReason = (lost >= 0 && lost != rank ? "lost rank " + lost + ": " : "") + cause;
        brokenLostRank = lost;
        try {
            collectives.close(); // peers blocked on this rank fail now rather than at their timeout
        } catch (RuntimeException ignored) {
            // already failing
        }
        if (e instanceof DistributedTimeoutException) return new DistributedTimeoutException(message, lost, e);
        return new DistributedException(message, lost, e);
    }

    /** Asks the rendezvous which rank dropped out; its master may notice the loss a little after the transport. */
    private int askLostRank(long waitNanos) {
        long deadline = System.nanoTime() + waitNanos;
        while (true) {
            OptionalInt r;
            try {
                r = lostRank.get();
            } catch (RuntimeException ex) {
                return -1;
            }
            if (r.isPresent()) return r.getAsInt();
            if (System.nanoTime() > deadline) return -1;
            try {
                Thread.sleep(20);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        worker.execute(() -> {
            try {
                collectives.close();
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        });
        worker.shutdown();
        try {
            if (!worker.awaitTermination(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS)) worker.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.shutdownNow();
        }
        onClose.run();
    }

    @Override
    public String toString() { return "ProcessGroup[" + backendName + ", rank " + rank + " of " + size + "]"; }
}
