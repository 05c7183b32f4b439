package dev.kindling.distributed.gloo.internal;

import dev.kindling.distributed.DistributedException;
import dev.kindling.distributed.DistributedTimeoutException;
import dev.kindling.distributed.ReduceOp;
import dev.kindling.distributed.gloo.jni.GlooNative;
import dev.kindling.distributed.spi.Collectives;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.TimeoutException;

/** One rank's gloo context; called from its process group's worker thread only. */
final class GlooCollectives implements Collectives {
    private long handle;
    private final int rank;

    GlooCollectives(long handle, int rank) {
        this.handle = handle;
        this.rank = rank;
    }

    private static int dtype(Object buffer) {
        if (buffer instanceof float[]) return GlooNative.FLOAT32;
        if (buffer instanceof double[]) return GlooNative.FLOAT64;
        if (buffer instanceof long[]) return GlooNative.INT64;
        if (buffer instanceof int[]) return GlooNative.INT32;
        throw new IllegalArgumentException("gloo: not a collective buffer: " + buffer);
    }

    private static int op(ReduceOp op) {
        return switch (op) {
            case SUM -> GlooNative.SUM;
            case PRODUCT -> GlooNative.PRODUCT;
            case MIN -> GlooNative.MIN;
            case MAX -> GlooNative.MAX;
            case AVG -> throw new IllegalArgumentException("AVG is reduced as SUM by the process group");
        };
    }

    private interface NativeCall {
        void run(long handle) throws IOException, TimeoutException;
    }

    private void call(String what, NativeCall body) {
        if (handle == 0) throw new DistributedException("gloo: rank " + rank + ": " + what + " on a closed connection");
        try {
            body.run(handle);
        } catch (TimeoutException e) {
            throw new DistributedTimeoutException("gloo: rank " + rank + ": " + what + ": " + e.getMessage(), -1, e);
        } catch (IOException e) {
            throw new DistributedException("gloo: rank " + rank + ": " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void allReduce(Object buffer, ReduceOp op) {
        int d = dtype(buffer), o = op(op);
        call("allReduce", h -> GlooNative.allReduce(h, buffer, d, o));
    }

    @Override
    public void allReduce(FloatBuffer direct, ReduceOp op) {
        if (!direct.isDirect() || direct.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("gloo: allReduce needs a direct buffer in native byte order");
        }
        int o = op(op);
        call("allReduce", h -> GlooNative.allReduceDirect(h, direct, GlooNative.FLOAT32, o));
    }

    @Override
    public void broadcast(Object buffer, int root) {
        int d = dtype(buffer);
        call("broadcast", h -> GlooNative.broadcast(h, buffer, d, root));
    }

    @Override
    public void allGather(Object in, Object out) {
        int d = dtype(in);
        call("allGather", h -> GlooNative.allGather(h, in, out, d));
    }

    @Override
    public void barrier() { call("barrier", GlooNative::barrier); }

    @Override
    public void close() {
        if (handle == 0) return;
        long h = handle;
        handle = 0;
        try {
            GlooNative.close(h);
        } catch (IOException e) {
            throw new DistributedException("gloo: rank " + rank + ": close: " + e.getMessage(), e);
        }
    }
}
