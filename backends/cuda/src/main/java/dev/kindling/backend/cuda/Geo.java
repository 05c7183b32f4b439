package dev.kindling.backend.cuda;

import dev.kindling.kernel.spi.View;

/**
 * The geometry the kernels index with (struct Geo in kindling_kernels.cu): a shape of at most {@link #MAXD} dims and,
 * for up to {@link #NOPS} operands, strides and an offset, all in elements. Packed as the struct's 64-bit words.
 */
final class Geo {
    static final int MAXD = 10;
    static final int NOPS = 4;
    static final int WORDS = 1 + MAXD + NOPS * MAXD + NOPS;

    private Geo() {}

    /** Geometry over {@code shape} for views of that shape (0-strides broadcast), merging dims that are contiguous in all. */
    static long[] of(long[] shape, View... views) {
        long[][] strides = new long[views.length][];
        long[] offs = new long[views.length];
        for (int v = 0; v < views.length; v++) {
            strides[v] = views[v].strides();
            offs[v] = views[v].offset();
        }
        return collapsed(shape, strides, offs);
    }

    /** Geometry with merged dims: size-1 dims dropped, a dim folded into the next when every operand steps evenly. */
    static long[] collapsed(long[] shape, long[][] strides, long[] offs) {
        int k = strides.length;
        int r = shape.length;
        long[] sh = new long[r];
        long[][] st = new long[k][r];
        int n = 0;
        for (int d = 0; d < r; d++) {
            if (shape[d] == 1) continue;
            if (n > 0) {
                boolean merge = true;
                for (int v = 0; v < k; v++) merge &= st[v][n - 1] == strides[v][d] * shape[d];
                if (merge) {
                    sh[n - 1] *= shape[d];
                    for (int v = 0; v < k; v++) st[v][n - 1] = strides[v][d];
                    continue;
                }
            }
            sh[n] = shape[d];
            for (int v = 0; v < k; v++) st[v][n] = strides[v][d];
            n++;
        }
        return pack(java.util.Arrays.copyOf(sh, n), trim(st, n), offs);
    }

    private static long[][] trim(long[][] st, int n) {
        long[][] out = new long[st.length][];
        for (int v = 0; v < st.length; v++) out[v] = java.util.Arrays.copyOf(st[v], n);
        return out;
    }

    /** Geometry with the dims exactly as given (kernels that need coordinates along a particular dim). */
    static long[] pack(long[] shape, long[][] strides, long[] offs) {
        if (shape.length > MAXD) {
            throw new IllegalArgumentException("the CUDA backend supports at most " + MAXD + " dimensions per kernel (after merging "
                    + "contiguous dimensions); got a tensor of shape " + java.util.Arrays.toString(shape));
        }
        if (strides.length > NOPS) throw new IllegalArgumentException("at most " + NOPS + " operands per kernel");
        long[] g = new long[WORDS];
        g[0] = shape.length;
        System.arraycopy(shape, 0, g, 1, shape.length);
        for (int v = 0; v < strides.length; v++) System.arraycopy(strides[v], 0, g, 1 + MAXD + v * MAXD, shape.length);
        System.arraycopy(offs, 0, g, 1 + MAXD + NOPS * MAXD, offs.length);
        return g;
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }
}
