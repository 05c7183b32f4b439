package dev.kindling.backend.cpu;

import dev.kindling.kernel.spi.View;

/**
 * Row-by-row iteration over several views of one shape: the body gets each view's offset at the start of a row of
 * the last dimension, the row length and each view's stride along it.
 */
final class Strided {
    private Strided() {}

    @FunctionalInterface
    interface Row {
        void apply(int[] base, int n, int[] step);
    }

    /**
     * Calls {@code body} once per row. Adjacent dimensions that every view walks as one (stride of the outer = stride x
     * size of the inner, broadcast 0-strides included) are merged first, so a contiguous tensor is a single long row
     * that the JIT can vectorise; rows still come in row-major order.
     */
    static void rows(long[] shape, Row body, View... views) {
        int k = views.length;
        for (long s : shape) if (s == 0) return;
        // merged shape and strides, innermost last
        long[] sh = new long[shape.length];
        long[][] st = new long[k][shape.length];
        int r = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            boolean merge = r > 0;
            for (int v = 0; v < k && merge; v++) merge = st[v][r - 1] == views[v].strides()[d] * shape[d];
            if (merge) {
                sh[r - 1] *= shape[d];
                for (int v = 0; v < k; v++) st[v][r - 1] = views[v].strides()[d];
            } else {
                sh[r] = shape[d];
                for (int v = 0; v < k; v++) st[v][r] = views[v].strides()[d];
                r++;
            }
        }
        int[] base = new int[k];
        int[] step = new int[k];
        if (r == 0) {
            for (int v = 0; v < k; v++) base[v] = (int) views[v].offset();
            body.apply(base, 1, step);
            return;
        }
        int n = (int) sh[r - 1];
        for (int v = 0; v < k; v++) step[v] = (int) st[v][r - 1];
        long[] idx = new long[r - 1];
        long[] off = new long[k];
        for (int v = 0; v < k; v++) off[v] = views[v].offset();
        while (true) {
            for (int v = 0; v < k; v++) base[v] = (int) off[v];
            body.apply(base, n, step);
            int d = r - 2;
            while (d >= 0) {
                idx[d]++;
                for (int v = 0; v < k; v++) off[v] += st[v][d];
                if (idx[d] < sh[d]) break;
                for (int v = 0; v < k; v++) off[v] -= st[v][d] * sh[d];
                idx[d] = 0;
                d--;
            }
            if (d < 0) return;
        }
    }

    /**
     * The dimension {@link #rowsParallel} cuts into ranges: the outermost one longer than 1 (for a 1-d tensor, its
     * single row). A body may write shared elements only along other dimensions.
     */
    static int splitDimension(long[] shape) {
        int d = 0;
        while (d < shape.length - 1 && shape[d] == 1) d++;
        return d;
    }

    /**
     * {@link #rows} split across the compute pool when large, for bodies that only write their own elements (no shared
     * accumulators): the outermost dimension longer than 1 is cut into one range per thread.
     */
    static void rowsParallel(long[] shape, Row body, View... views) { rowsParallel(shape, 1, body, views); }

    /**
     * {@link #rowsParallel(long[], Row, View...)} for bodies that visit {@code elementWork} memory elements per element of
     * {@code shape} (a row sum per output element, for instance).
     */
    static void rowsParallel(long[] shape, long elementWork, Row body, View... views) {
        int r = shape.length;
        if (r == 0) {
            rows(shape, body, views);
            return;
        }
        int dim = splitDimension(shape);
        long size = shape[dim];
        long total = 1;
        for (long s : shape) total *= s;
        // an element of a memory-bound loop weighs about a quarter of a multiply-add: split from 2^20 elements
        int chunks = ComputePool.chunksFor((int) Math.min(size, Integer.MAX_VALUE), total * elementWork / 4);
        if (chunks <= 1) {
            rows(shape, body, views);
            return;
        }
        ComputePool.run(chunks, c -> {
            long lo = size * c / chunks, hi = size * (c + 1) / chunks;
            long[] part = shape.clone();
            part[dim] = hi - lo;
            View[] sub = new View[views.length];
            for (int v = 0; v < views.length; v++) {
                View w = views[v];
                long[] ps = w.shape().clone();
                ps[dim] = hi - lo;
                sub[v] = new View(w.storage(), ps, w.strides(), w.offset() + lo * w.strides()[dim]);
            }
            rows(part, body, sub);
        });
    }

    /** The flat storage offset of every element of a view, row-major. */
    static int[] offsets(View v) {
        int[] out = new int[Math.toIntExact(v.numel())];
        int[] pos = {0};
        rows(v.shape(), (base, n, step) -> {
            for (int j = 0; j < n; j++) out[pos[0]++] = base[0] + j * step[0];
        }, v);
        return out;
    }

    /** The view with dimension {@code dim} fixed at {@code index}. */
    static View select(View v, int dim, long index) {
        int r = v.dim();
        long[] shape = new long[r - 1];
        long[] st = new long[r - 1];
        for (int a = 0, k = 0; a < r; a++) {
            if (a == dim) continue;
            shape[k] = v.shape()[a];
            st[k++] = v.strides()[a];
        }
        return new View(v.storage(), shape, st, v.offset() + index * v.strides()[dim]);
    }

    /** The view with its dimensions reordered so that {@code dims} come last (in order). */
    static View moveToEnd(View v, int[] dims) {
        int r = v.dim();
        long[] shape = new long[r];
        long[] st = new long[r];
        boolean[] moved = new boolean[r];
        for (int d : dims) moved[d] = true;
        int k = 0;
        for (int a = 0; a < r; a++) {
            if (!moved[a]) {
                shape[k] = v.shape()[a];
                st[k++] = v.strides()[a];
            }
        }
        for (int d : dims) {
            shape[k] = v.shape()[d];
            st[k++] = v.strides()[d];
        }
        return new View(v.storage(), shape, st, v.offset());
    }
}
