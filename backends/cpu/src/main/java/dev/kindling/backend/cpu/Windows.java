package dev.kindling.backend.cpu;

import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.spi.Window2d;
import dev.kindling.kernel.tensor.Half;

/**
 * Sliding-window primitives over {@code [N, C, H, W]}: im2col, its adjoint col2im, max pooling and its gradient. Each
 * (sample, channel) plane is one independent work item, so planes run in parallel when there is enough work, and every
 * output element is written by exactly one item (col2im and the pooling gradient accumulate only within their own
 * plane). float32 reads and writes the arrays directly (im2col half ones too, as bits); other floating dtypes go through
 * the storage's double accessors, and the backend hands half col2im and pooling to these float32 paths through
 * {@link HalfOps}.
 *
 * <p>Fast paths, each bit for bit the general loop's result (WindowsTest): at stride 1 with "same" padding, im2col and
 * col2im move whole shifted planes per window cell ({@link #im2colShifted}, {@link #col2imShifted}); 2 x 2 pooling runs
 * on the Vector API ({@link VectorPool}) where it is present.
 */
final class Windows {
    private Windows() {}

    static void im2col(View in, Window2d w, View out) {
        int n = (int) in.shape()[0], c = (int) in.shape()[1];
        long work = (long) w.kh() * w.kw() * w.oh() * w.ow();
        // samples vary fastest: the columns are laid out [C*kh*kw, N, oh*ow], so consecutive planes write consecutive runs
        ComputePool.parallelFor(n * c, work, plane -> im2colPlane(in, w, out, plane % n, plane / n));
    }

    private static void im2colPlane(View in, Window2d w, View out, int n, int ch) {
        int h = (int) in.shape()[2], wd = (int) in.shape()[3];
        long[] is = in.strides(), os = out.strides();
        long inBase = in.offset() + n * is[0] + ch * is[1];
        CpuStorage src = CpuBackend.s(in), dst = CpuBackend.s(out);
        // im2col only moves values: float32 and half (as bits) copy array to array when in and out share the dtype
        boolean direct = in.dtype() == out.dtype() && (src instanceof CpuStorage.F32 || src instanceof CpuStorage.F16);
        Object fs = direct ? src.array() : null, fd = direct ? dst.array() : null;
        if (direct && isSamePadded(w, h, wd) && is[3] == 1 && is[2] == wd && os[2] == 1) {
            im2colShifted(fs, (int) inBase, h, wd, w, fd, (int) (out.offset() + n * os[0]), (int) os[1], ch);
            return;
        }
        for (int i = 0; i < w.kh(); i++) {
            for (int j = 0; j < w.kw(); j++) {
                int row = (ch * w.kh() + i) * w.kw() + j;
                long outRow = out.offset() + n * os[0] + row * os[1];
                // columns x with 0 <= x*sw - pw + j*dw < W: a contiguous run [x0, x1)
                int shift = j * w.dw() - w.pw();
                int x0 = Math.max(0, ceilDiv(-shift, w.sw()));
                int x1 = Math.min(w.ow(), ceilDiv(wd - shift, w.sw()));
                if (x1 < x0) x1 = x0;
                for (int y = 0; y < w.oh(); y++) {
                    int iy = y * w.sh() - w.ph() + i * w.dh();
                    long o = outRow + (long) y * w.ow() * os[2];
                    boolean rowInside = iy >= 0 && iy < h;
                    long inRow = inBase + iy * is[2];
                    if (direct) {
                        int oi = (int) o, st = (int) os[2];
                        if (!rowInside) {
                            zeroRun(fd, oi, st, w.ow());
                            continue;
                        }
                        zeroRun(fd, oi, st, x0);
                        int ii = (int) (inRow + (long) (x0 * w.sw() + shift) * is[3]);
                        copyRun(fs, ii, (int) (w.sw() * is[3]), fd, oi + x0 * st, st, x1 - x0);
                        zeroRun(fd, oi + x1 * st, st, w.ow() - x1);
                    } else {
                        for (int x = 0; x < w.ow(); x++) {
                            int ix = x * w.sw() + shift;
                            double v = rowInside && ix >= 0 && ix < wd ? src.getD((int) (inRow + ix * is[3])) : 0.0;
                            dst.setD((int) (o + x * os[2]), v);
                        }
                    }
                }
            }
        }
    }

    /**
     * Stride 1 with the output as large as the input ("same" padding, the usual 3 x 3 convolution): in a dense plane,
     * window cell (i, j) then reads the plane shifted by a constant, so each row of the columns is one copy of the
     * plane, zeroed where the window hangs over an edge. One copy per cell rather than one per output row: for a
     * [64, 32, 14, 14] input that is 18k copies of about 180 values instead of 258k of 14.
     */
    private static void im2colShifted(Object src, int inBase, int h, int wd, Window2d w, Object dst, int outBase, int rowStride, int ch) {
        for (int i = 0; i < w.kh(); i++) {
            int sy = i * w.dh() - w.ph();
            // output rows y whose input row y + sy lies inside the plane: [y0, y1)
            int y0 = Math.max(0, -sy), y1 = Math.min(h, h - sy);
            for (int j = 0; j < w.kw(); j++) {
                int sx = j * w.dw() - w.pw();
                int x0 = Math.max(0, -sx), x1 = Math.min(wd, wd - sx);
                int o = outBase + ((ch * w.kh() + i) * w.kw() + j) * rowStride;
                if (y1 <= y0 || x1 <= x0) {
                    zeroRun(dst, o, 1, h * wd);
                    continue;
                }
                zeroRun(dst, o, 1, y0 * wd);
                // from (y0, x0) to (y1 - 1, x1 - 1) in one copy; the columns outside [x0, x1) it brings from the
                // neighbouring input rows are zeroed below
                copyRun(src, inBase + (y0 + sy) * wd + x0 + sx, 1, dst, o + y0 * wd + x0, 1, (y1 - y0 - 1) * wd + x1 - x0);
                for (int y = y0; y < y1; y++) {
                    zeroRun(dst, o + y * wd, 1, x0);
                    zeroRun(dst, o + y * wd + x1, 1, wd - x1);
                }
                zeroRun(dst, o + y1 * wd, 1, (h - y1) * wd);
            }
        }
    }

    /**
     * col2im's counterpart of {@link #im2colShifted}: each window cell adds its row of the columns to the plane shifted
     * by a constant, as one long run the JIT vectorises. The run also covers the edge columns, whose values belong to no
     * plane cell; the plane cells they land on are saved before the run and put back after it, so every cell still
     * receives exactly its own contributions, in the window cells' order (the bits are those of the row-by-row loop).
     */
    private static void col2imShifted(Object cols, boolean bf16, int colBase, int rowStride, int h, int wd, Window2d w, float[] out, int outBase, int ch) {
        float[] saved = new float[0];
        for (int i = 0; i < w.kh(); i++) {
            int sy = i * w.dh() - w.ph();
            int y0 = Math.max(0, -sy), y1 = Math.min(h, h - sy);
            for (int j = 0; j < w.kw(); j++) {
                int sx = j * w.dw() - w.pw();
                int x0 = Math.max(0, -sx), x1 = Math.min(wd, wd - sx);
                if (y1 <= y0 || x1 <= x0) continue;
                int c = colBase + ((ch * w.kh() + i) * w.kw() + j) * rowStride;
                int shift = sy * wd + sx;
                int first = y0 * wd + x0, end = (y1 - 1) * wd + x1;
                // the plane cells that the edge columns inside [first, end) land on: before x0 on every row after y0, from
                // x1 on every row before y1 - 1
                int edge = (y1 - y0 - 1) * (wd - (x1 - x0));
                if (edge * 4 > end - first) {
                    for (int y = y0; y < y1; y++) addRun(cols, bf16, c + y * wd + x0, out, outBase + y * wd + shift + x0, x1 - x0);
                    continue;
                }
                if (saved.length < edge) saved = new float[edge];
                int k = 0;
                for (int y = y0; y < y1; y++) {
                    int row = outBase + y * wd + shift;
                    if (y > y0) for (int x = 0; x < x0; x++) saved[k++] = out[row + x];
                    if (y < y1 - 1) for (int x = x1; x < wd; x++) saved[k++] = out[row + x];
                }
                addRun(cols, bf16, c + first, out, outBase + first + shift, end - first);
                k = 0;
                for (int y = y0; y < y1; y++) {
                    int row = outBase + y * wd + shift;
                    if (y > y0) for (int x = 0; x < x0; x++) out[row + x] = saved[k++];
                    if (y < y1 - 1) for (int x = x1; x < wd; x++) out[row + x] = saved[k++];
                }
            }
        }
    }

    /** Stride 1 and an output plane as large as the input's. */
    private static boolean isSamePadded(Window2d w, int h, int wd) {
        return w.sh() == 1 && w.sw() == 1 && w.oh() == h && w.ow() == wd;
    }

    /**
     * col2im of float16/bfloat16 columns into a float32 {@code out}, widening each run as it is added (instead of the
     * whole columns first, twice their size in float32): where the shifted-plane path applies, else false.
     */
    static boolean col2imFromHalf(View cols, Window2d w, View out) {
        int n = (int) out.shape()[0], c = (int) out.shape()[1], h = (int) out.shape()[2], wd = (int) out.shape()[3];
        long[] cs = cols.strides(), os = out.strides();
        if (!(CpuBackend.s(cols) instanceof CpuStorage.F16) || !(CpuBackend.s(out) instanceof CpuStorage.F32) || !isSamePadded(w, h, wd)
                || cs[2] != 1 || os[3] != 1 || os[2] != wd) {
            return false;
        }
        CpuStorage.F16 src = (CpuStorage.F16) CpuBackend.s(cols);
        float[] fd = ((CpuStorage.F32) CpuBackend.s(out)).a;
        ComputePool.parallelFor(n * c, (long) w.kh() * w.kw() * w.oh() * w.ow(), plane -> {
            int s = plane % n, ch = plane / n;
            col2imShifted(src.a, src.bf16, (int) (cols.offset() + s * cs[0]), (int) cs[1], h, wd, w, fd, (int) (out.offset() + s * os[0] + ch * os[1]), ch);
        });
        return true;
    }

    static void col2im(View cols, Window2d w, View out) {
        int n = (int) out.shape()[0], c = (int) out.shape()[1];
        long work = (long) w.kh() * w.kw() * w.oh() * w.ow();
        // samples vary fastest: convolution's columns are laid out [C*kh*kw, N, oh*ow], so consecutive planes read
        // consecutive runs of each row (channels fastest jumped 9 rows ahead each time, and col2im ran at memory latency)
        ComputePool.parallelFor(n * c, work, plane -> col2imPlane(cols, w, out, plane % n, plane / n));
    }

    private static void col2imPlane(View cols, Window2d w, View out, int n, int ch) {
        int h = (int) out.shape()[2], wd = (int) out.shape()[3];
        long[] cs = cols.strides(), os = out.strides();
        long outBase = out.offset() + n * os[0] + ch * os[1];
        CpuStorage src = CpuBackend.s(cols), dst = CpuBackend.s(out);
        float[] fs = src instanceof CpuStorage.F32 ? ((CpuStorage.F32) src).a : null;
        float[] fd = dst instanceof CpuStorage.F32 ? ((CpuStorage.F32) dst).a : null;
        if (fs != null && fd != null && isSamePadded(w, h, wd) && cs[2] == 1 && os[3] == 1 && os[2] == wd) {
            col2imShifted(fs, false, (int) (cols.offset() + n * cs[0]), (int) cs[1], h, wd, w, fd, (int) outBase, ch);
            return;
        }
        for (int i = 0; i < w.kh(); i++) {
            for (int j = 0; j < w.kw(); j++) {
                int row = (ch * w.kh() + i) * w.kw() + j;
                long colRow = cols.offset() + n * cs[0] + row * cs[1];
                int shift = j * w.dw() - w.pw();
                int x0 = Math.max(0, ceilDiv(-shift, w.sw()));
                int x1 = Math.min(w.ow(), ceilDiv(wd - shift, w.sw()));
                for (int y = 0; y < w.oh(); y++) {
                    int iy = y * w.sh() - w.ph() + i * w.dh();
                    if (iy < 0 || iy >= h) continue;
                    long ci = colRow + (long) y * w.ow() * cs[2];
                    long oRow = outBase + iy * os[2];
                    if (fs != null && fd != null) {
                        int si = (int) (ci + x0 * cs[2]), sst = (int) cs[2];
                        int di = (int) (oRow + (long) (x0 * w.sw() + shift) * os[3]), dst2 = (int) (w.sw() * os[3]);
                        if (sst == 1 && dst2 == 1) addRun(fs, si, fd, di, x1 - x0);
                        else for (int x = x0; x < x1; x++, si += sst, di += dst2) fd[di] += fs[si];
                    } else {
                        for (int x = x0; x < x1; x++) {
                            int di = (int) (oRow + (long) (x * w.sw() + shift) * os[3]);
                            dst.setD(di, dst.getD(di) + src.getD((int) (ci + x * cs[2])));
                        }
                    }
                }
            }
        }
    }

    static void maxPool2d(View in, Window2d w, View values, View indices) {
        int n = (int) in.shape()[0], c = (int) in.shape()[1];
        long work = (long) w.kh() * w.kw() * w.oh() * w.ow();
        Cells cells = Cells.for2x2(in, w, values, indices);
        ComputePool.parallelFor(n * c, work, plane -> maxPoolPlane(in, w, values, indices, plane / c, plane % c, cells));
    }

    /**
     * Max pooling's gradient into a zero-filled float32 {@code out}: each plane adds its gradients at their indices, in
     * row-major order (as scatter_add along the flattened plane adds them, so overlapping windows sum the same way).
     */
    static void maxPool2dBackward(View grad, View indices, View out) {
        int n = (int) out.shape()[0], c = (int) out.shape()[1];
        int oh = (int) grad.shape()[2], ow = (int) grad.shape()[3];
        int size = Math.toIntExact(out.shape()[2] * out.shape()[3]);
        CpuStorage gs0 = CpuBackend.s(grad), os0 = CpuBackend.s(out);
        boolean half = os0 instanceof CpuStorage.F16;
        boolean bf16 = half && ((CpuStorage.F16) os0).bf16;
        long[] idx = ((CpuStorage.I64) CpuBackend.s(indices)).a;
        long[] gs = grad.strides(), xs = indices.strides(), os = out.strides();
        if (os[3] != 1 || os[2] != out.shape()[3]) throw new IllegalArgumentException("max pooling's gradient: the output must be dense planes");
        ComputePool.parallelFor(n * c, 4L * oh * ow, plane -> {
            int s = plane / c, ch = plane % c;
            long gBase = grad.offset() + s * gs[0] + ch * gs[1], xBase = indices.offset() + s * xs[0] + ch * xs[1];
            int oBase = (int) (out.offset() + s * os[0] + ch * os[1]);
            // half: the plane accumulates in float32 rounded after every addition, as scatter_add (and PyTorch 1.13's
            // kernel) round, and is narrowed once at the end; the zero-filled output starts it at 0
            float[] o = half ? RUN.get() : ((CpuStorage.F32) os0).a;
            if (half) {
                if (o.length < size) RUN.set(o = new float[size]);
                java.util.Arrays.fill(o, 0, size, 0f);
            }
            int base = half ? 0 : oBase;
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    long at = idx[(int) (xBase + y * xs[2] + x * xs[3])];
                    if (at < 0 || at >= size) {
                        throw new IndexOutOfBoundsException("max pooling's gradient: index " + at + " is out of bounds for a plane of " + size
                                + " elements (sample " + s + ", channel " + ch + ", output (" + y + ", " + x + "))");
                    }
                    int gi = (int) (gBase + y * gs[2] + x * gs[3]);
                    if (half) o[(int) at] = HalfArrays.round(bf16, o[(int) at] + Half.toFloat(bf16, ((CpuStorage.F16) gs0).a[gi]));
                    else o[base + (int) at] += ((CpuStorage.F32) gs0).a[gi];
                }
            }
            if (half) HalfArrays.fromFloat(bf16, o, 0, ((CpuStorage.F16) os0).a, oBase, size);
        });
    }

    /**
     * For {@link VectorPool}: each 2 x 2 window's top-left cell, as an array offset and as PyTorch's index, the same in
     * every plane. Null where the vector kernel does not apply (no Vector API, other windows, strided output planes).
     */
    private record Cells(int[] offsets, int[] positions) {
        static Cells for2x2(View in, Window2d w, View values, View indices) {
            int outs = w.oh() * w.ow();
            long[] vs = values.strides(), xs = indices.strides();
            if (!VectorApi.AVAILABLE || w.kh() != 2 || w.kw() != 2 || outs < 8 || in.strides()[3] != 1 || vs[3] != 1 || vs[2] != w.ow()
                    || xs[3] != 1 || xs[2] != w.ow()) {
                return null;
            }
            int wd = (int) in.shape()[3], rowStride = (int) in.strides()[2];
            int[] offsets = new int[outs], positions = new int[outs];
            for (int y = 0, u = 0; y < w.oh(); y++) {
                for (int x = 0; x < w.ow(); x++, u++) {
                    offsets[u] = y * w.sh() * rowStride + x * w.sw();
                    positions[u] = y * w.sh() * wd + x * w.sw();
                }
            }
            return new Cells(offsets, positions);
        }
    }

    /** PyTorch's CPU rule: a strictly greater value or a NaN takes over; the index starts at the window's first valid cell. */
    private static void maxPoolPlane(View in, Window2d w, View values, View indices, int n, int ch, Cells cells) {
        int h = (int) in.shape()[2], wd = (int) in.shape()[3];
        long[] is = in.strides(), vs = values.strides(), xs = indices.strides();
        long inBase = in.offset() + n * is[0] + ch * is[1];
        long vBase = values.offset() + n * vs[0] + ch * vs[1];
        long xBase = indices.offset() + n * xs[0] + ch * xs[1];
        CpuStorage src = CpuBackend.s(in), vdst = CpuBackend.s(values);
        long[] idx = ((CpuStorage.I64) CpuBackend.s(indices)).a;
        float[] fs = src instanceof CpuStorage.F32 ? ((CpuStorage.F32) src).a : null;
        float[] fv = vdst instanceof CpuStorage.F32 ? ((CpuStorage.F32) vdst).a : null;
        if (fs != null && fv != null && is[3] == 1 && w.ph() == 0 && w.pw() == 0 && w.dh() == 1 && w.dw() == 1
                && (w.oh() - 1) * w.sh() + w.kh() <= h && (w.ow() - 1) * w.sw() + w.kw() <= wd) {
            int from = cells == null ? 0
                    : VectorPool.pool2x2(fs, (int) inBase, (int) is[2], wd, cells.offsets, cells.positions, w.oh() * w.ow(), fv, (int) vBase, idx, (int) xBase);
            maxPoolPlaneDense(fs, (int) inBase, (int) is[2], wd, w, fv, (int) vBase, (int) vs[2], (int) vs[3], idx, (int) xBase, (int) xs[2], (int) xs[3], from);
            return;
        }
        for (int y = 0; y < w.oh(); y++) {
            int y0 = y * w.sh() - w.ph();
            int yEnd = Math.min(y0 + (w.kh() - 1) * w.dh() + 1, h);
            while (y0 < 0) y0 += w.dh();
            for (int x = 0; x < w.ow(); x++) {
                int x0 = x * w.sw() - w.pw();
                int xEnd = Math.min(x0 + (w.kw() - 1) * w.dw() + 1, wd);
                while (x0 < 0) x0 += w.dw();
                long best = (long) y0 * wd + x0;
                double max = Double.NEGATIVE_INFINITY;
                if (fs != null) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int iy = y0; iy < yEnd; iy += w.dh()) {
                        int row = (int) (inBase + iy * is[2]);
                        for (int ix = x0; ix < xEnd; ix += w.dw()) {
                            float v = fs[row + (int) (ix * is[3])];
                            if (v > m || v != v) {
                                m = v;
                                best = (long) iy * wd + ix;
                            }
                        }
                    }
                    max = m;
                } else {
                    for (int iy = y0; iy < yEnd; iy += w.dh()) {
                        for (int ix = x0; ix < xEnd; ix += w.dw()) {
                            double v = src.getD((int) (inBase + iy * is[2] + ix * is[3]));
                            if (v > max || Double.isNaN(v)) {
                                max = v;
                                best = (long) iy * wd + ix;
                            }
                        }
                    }
                }
                long vo = vBase + y * vs[2] + x * vs[3];
                if (fv != null) fv[(int) vo] = (float) max;
                else vdst.setD((int) vo, max);
                idx[(int) (xBase + y * xs[2] + x * xs[3])] = best;
            }
        }
    }

    /**
     * The common case, every window inside the plane (no padding, no dilation, floor mode), with unit-stride rows. The
     * outputs before {@code from} (in row-major order) are already done: only 2 x 2 windows have a vector kernel.
     */
    private static void maxPoolPlaneDense(float[] fs, int inBase, int rowStride, int wd, Window2d w, float[] fv, int vBase, int vy, int vx,
                                          long[] idx, int xBase, int xy, int xx, int from) {
        int kh = w.kh(), kw = w.kw(), sh = w.sh(), sw = w.sw();
        if (kh == 2 && kw == 2) {
            pool2x2(fs, inBase, rowStride, wd, sh, sw, w.oh(), w.ow(), fv, vBase, vy, vx, idx, xBase, xy, xx, from);
            return;
        }
        for (int y = 0; y < w.oh(); y++) {
            int top = y * sh;
            int vo = vBase + y * vy, xo = xBase + y * xy;
            for (int x = 0; x < w.ow(); x++) {
                int left = x * sw;
                float m = Float.NEGATIVE_INFINITY;
                int best = top * wd + left;
                boolean nan = false;
                for (int i = 0; i < kh; i++) {
                    int row = inBase + (top + i) * rowStride + left;
                    int pos = (top + i) * wd + left;
                    for (int j = 0; j < kw; j++) {
                        // one compare feeding selects, not branches: which cell wins is random on real data
                        float v = fs[row + j];
                        boolean take = v > m;
                        m = take ? v : m;
                        best = take ? pos + j : best;
                        nan |= v != v;
                    }
                }
                if (nan) {
                    // PyTorch's rule for NaN windows: the last NaN wins
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            float v = fs[inBase + (top + i) * rowStride + left + j];
                            if (v != v) {
                                m = v;
                                best = (top + i) * wd + left + j;
                            }
                        }
                    }
                }
                fv[vo + x * vx] = m;
                idx[xo + x * xx] = best;
            }
        }
    }

    /** 2 x 2 windows from output {@code from} on: four loads and three selects per output, no inner loops. */
    private static void pool2x2(float[] fs, int inBase, int rowStride, int wd, int sh, int sw, int oh, int ow, float[] fv, int vBase, int vy,
                                int vx, long[] idx, int xBase, int xy, int xx, int from) {
        for (int y = from / ow; y < oh; y++) {
            int r0 = inBase + y * sh * rowStride, r1 = r0 + rowStride;
            int p0 = y * sh * wd, p1 = p0 + wd;
            int vo = vBase + y * vy, xo = xBase + y * xy;
            for (int x = y == from / ow ? from % ow : 0; x < ow; x++) {
                int c = x * sw;
                float a = fs[r0 + c], b = fs[r0 + c + 1], d = fs[r1 + c], e = fs[r1 + c + 1];
                // branch-free: which cell wins is random on real data, and mispredicted branches made this 3x slower.
                // Strict compares keep the first of equal values, as PyTorch's scan does; the value is re-read from the
                // winning cell so -0.0 and 0.0 come out as PyTorch's do.
                int right01 = b > a ? 1 : 0, right23 = e > d ? 1 : 0;
                boolean low = Math.max(d, e) > Math.max(a, b);
                int dy = low ? 1 : 0, dx = low ? right23 : right01;
                float m = fs[r0 + dy * rowStride + c + dx];
                int best = p0 + dy * wd + c + dx;
                if ((a != a) | (b != b) | (d != d) | (e != e)) {
                    // PyTorch's rule for NaN windows: the last NaN wins
                    if (a != a) { m = a; best = p0 + c; }
                    if (b != b) { m = b; best = p0 + c + 1; }
                    if (d != d) { m = d; best = p1 + c; }
                    if (e != e) { m = e; best = p1 + c + 1; }
                }
                fv[vo + x * vx] = m;
                idx[xo + x * xx] = best;
            }
        }
    }

    /**
     * {@code b[di, di + n) += a[si, si + n)} on the binary row kernel (Vector API where available): C2 does not vectorise
     * the plain loop, and col2im ran at about 2 cycles per element with it.
     */
    private static void addRun(float[] a, int si, float[] b, int di, int n) {
        FastF32.row(BinaryOp.ADD, b, di, 1, a, si, 1, b, di, 1, n);
    }

    /** {@link #addRun} from a float[] or, widened run by run through a per-thread buffer, a short[] of half values. */
    private static void addRun(Object a, boolean bf16, int si, float[] b, int di, int n) {
        if (a instanceof float[]) {
            addRun((float[]) a, si, b, di, n);
            return;
        }
        float[] run = RUN.get();
        if (run.length < n) RUN.set(run = new float[n]);
        HalfArrays.toFloat(bf16, (short[]) a, si, run, 0, n);
        addRun(run, 0, b, di, n);
    }

    private static final ThreadLocal<float[]> RUN = ThreadLocal.withInitial(() -> new float[1024]);

    /** {@code n} elements of a float[] or short[] with strides {@code ss}, {@code ds}. */
    private static void copyRun(Object src, int si, int ss, Object dst, int di, int ds, int n) {
        if (n <= 0) return;
        if (ss == 1 && ds == 1) {
            // typed, so the JIT calls the copy stub for the type rather than the generic one that checks types first
            if (src instanceof float[]) System.arraycopy((float[]) src, si, (float[]) dst, di, n);
            else System.arraycopy((short[]) src, si, (short[]) dst, di, n);
        } else if (src instanceof float[]) {
            float[] a = (float[]) src, b = (float[]) dst;
            for (int x = 0; x < n; x++) b[di + x * ds] = a[si + x * ss];
        } else {
            short[] a = (short[]) src, b = (short[]) dst;
            for (int x = 0; x < n; x++) b[di + x * ds] = a[si + x * ss];
        }
    }

    /** Zeroes {@code n} elements of a float[] or short[] (bits 0 are +0.0 in every half format too). */
    private static void zeroRun(Object dst, int di, int ds, int n) {
        if (n <= 0) return;
        if (dst instanceof float[]) {
            float[] b = (float[]) dst;
            for (int x = 0; x < n; x++) b[di + x * ds] = 0f;
        } else {
            short[] b = (short[]) dst;
            for (int x = 0; x < n; x++) b[di + x * ds] = 0;
        }
    }

    private static int ceilDiv(int a, int b) { return -Math.floorDiv(-a, b); }
}
