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

    static void rows(long[] shape, Row body, View... views) {
        int k = views.length;
        int r = shape.length;
        int[] base = new int[k];
        int[] step = new int[k];
        for (long s : shape) if (s == 0) return;
        if (r == 0) {
            for (int v = 0; v < k; v++) base[v] = (int) views[v].offset();
            body.apply(base, 1, step);
            return;
        }
        int n = (int) shape[r - 1];
        for (int v = 0; v < k; v++) step[v] = (int) views[v].strides()[r - 1];
        long[] idx = new long[r - 1];
        long[] off = new long[k];
        for (int v = 0; v < k; v++) off[v] = views[v].offset();
        while (true) {
            for (int v = 0; v < k; v++) base[v] = (int) off[v];
            body.apply(base, n, step);
            int d = r - 2;
            while (d >= 0) {
                idx[d]++;
                for (int v = 0; v < k; v++) off[v] += views[v].strides()[d];
                if (idx[d] < shape[d]) break;
                for (int v = 0; v < k; v++) off[v] -= views[v].strides()[d] * shape[d];
                idx[d] = 0;
                d--;
            }
            if (d < 0) return;
        }
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
