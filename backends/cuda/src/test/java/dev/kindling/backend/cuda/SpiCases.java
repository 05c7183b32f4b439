package dev.kindling.backend.cuda;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.ReduceOp;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.spi.Window2d;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Every primitive of the backend SPI, exercised with deterministic inputs on one backend: dtypes, broadcasting,
 * strided (transposed, offset) operands, special values and the error cases. The conformance test runs each case on
 * the CPU and the CUDA backend and compares the host results; the dry-run test runs each on a driverless CUDA device
 * to check every kernel launch against the PTX's parameter lists.
 */
final class SpiCases {
    private SpiCases() {}

    /** One case: its outputs (host arrays, or "error: ..." strings) and the relative tolerance for float32 results. */
    record Case(String name, double rtol, double atol, Function<Env, List<Object>> body) {
        @Override public String toString() { return name; }

        List<Object> run(Env env) {
            try {
                return body.apply(env);
            } catch (IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException | ArithmeticException e) {
                List<Object> out = new ArrayList<>();
                out.add("error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                return out;
            }
        }
    }

    /** A backend and device to build views on. */
    record Env(TensorBackend b, Device dev) {
        View in(DType t, long[] shape, Object host) {
            return new View(b.fromHost(dev, t, host), shape, contiguous(shape), 0);
        }

        View out(DType t, long... shape) {
            return new View(b.allocate(dev, t, numel(shape)), shape, contiguous(shape), 0);
        }

        Object host(View v) { return b.toHost(v); }
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    static long[] contiguous(long[] shape) { return CudaBackend.contiguous(shape); }

    static View transpose(View v, int a, int c) {
        long[] sh = v.shape().clone();
        long[] st = v.strides().clone();
        long t = sh[a]; sh[a] = sh[c]; sh[c] = t;
        t = st[a]; st[a] = st[c]; st[c] = t;
        return new View(v.storage(), sh, st, v.offset());
    }

    /** {@code v} broadcast to {@code shape} (size-1 dims and missing leading dims get stride 0). */
    static View expand(View v, long[] shape) {
        int r = shape.length;
        int k = v.dim();
        long[] st = new long[r];
        for (int d = 0; d < r; d++) {
            int s = d - (r - k);
            st[d] = s < 0 || v.shape()[s] == 1 ? 0 : v.strides()[s];
        }
        return new View(v.storage(), shape, st, v.offset());
    }

    static float[] floats(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    static double[] doubles(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.nextDouble();
        return a;
    }

    static long[] longs(long seed, int n, long lo, long hi) {
        Random r = new Random(seed);
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = lo + (long) (r.nextDouble() * (hi - lo));
        return a;
    }

    /** Floats with NaN, infinities, signed zeros, halves (rounding ties) and ordinary values. */
    static float[] specials(long seed, int n) {
        float[] base = floats(seed, n, -4, 4);
        float[] sp = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 0.5f, -2.5f, 1f, -1f, 1e-30f, 70000f};
        for (int i = 0; i < n && i < sp.length * 3; i += 3) base[i] = sp[i / 3];
        return base;
    }

    static Object hostData(DType t, long seed, int n) {
        switch (t) {
            case FLOAT32: return floats(seed, n, -3, 3);
            case FLOAT64: return doubles(seed, n, -3, 3);
            case FLOAT16: case BFLOAT16: return floats(seed, n, -3, 3);
            case BOOL: {
                boolean[] b = new boolean[n];
                Random r = new Random(seed);
                for (int i = 0; i < n; i++) b[i] = r.nextBoolean();
                return b;
            }
            case UINT8: return longs(seed, n, 0, 255);
            default: return longs(seed, n, -20, 20);
        }
    }

    static final DType[] ALL = DType.values();
    static final double F32 = 1e-5;

    static List<Case> all() {
        List<Case> cs = new ArrayList<>();
        // ---- storage: host round trips and conversions ----
        for (DType t : ALL) {
            cs.add(new Case("fromHost/toHost " + t, F32, 0, e -> List.of(e.host(e.in(t, new long[] {2, 3}, hostData(t, 1, 6))))));
            cs.add(new Case("fromHost bytes -> " + t, F32, 0, e -> List.of(e.host(e.in(t, new long[] {4}, new byte[] {0, 1, (byte) 200, -3})))));
        }
        cs.add(new Case("fromHost empty", F32, 0, e -> List.of(e.host(e.in(DType.FLOAT32, new long[] {0, 3}, new float[0])))));
        // ---- fill ----
        for (DType t : ALL) {
            cs.add(new Case("fill " + t, F32, 0, e -> {
                View o = e.out(t, 3, 4);
                e.b().fill(transpose(o, 0, 1), 2.75);
                View sub = new View(o.storage(), new long[] {2}, new long[] {5}, 1);
                e.b().fill(sub, -1.5);
                return List.of(e.host(o));
            }));
        }
        // ---- copy between every pair of dtypes, broadcast source, transposed destination ----
        for (DType s : ALL) {
            for (DType d : ALL) {
                cs.add(new Case("copy " + s + " -> " + d, F32, 0, e -> {
                    View src = e.in(s, new long[] {3, 1}, s.isFloatingPoint() ? new double[] {-1.7, 0, 2.5} : new long[] {-1, 0, 7});
                    View dst = e.out(d, 4, 3);
                    e.b().copy(expand(src, new long[] {3, 4}), transpose(dst, 0, 1));
                    return List.of(e.host(dst));
                }));
            }
        }
        cs.add(new Case("copy strided 4-d", F32, 0, e -> {
            View src = e.in(DType.FLOAT32, new long[] {2, 3, 4, 5}, floats(3, 120, -1, 1));
            View p = new View(src.storage(), new long[] {5, 4, 3, 2}, new long[] {1, 5, 20, 60}, 0);
            View dst = e.out(DType.FLOAT32, 5, 4, 3, 2);
            e.b().copy(p, dst);
            return List.of(e.host(dst), e.host(p));
        }));
        // ---- unary ----
        for (UnaryOp op : UnaryOp.values()) {
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.FLOAT16, DType.BFLOAT16, DType.INT64, DType.INT32}) {
                double tol = t == DType.FLOAT16 ? 1e-3 : t == DType.BFLOAT16 ? 1e-2 : t == DType.FLOAT64 ? 1e-12 : F32;
                cs.add(new Case("unary " + op + " " + t, tol, 0, e -> {
                    View x = e.in(t, new long[] {5, 7}, t.isFloatingPoint() ? specials(op.ordinal(), 35) : longs(op.ordinal(), 35, -50, 50));
                    View o = e.out(op.isPredicate() ? DType.BOOL : t, 7, 5);
                    e.b().unary(op, transpose(x, 0, 1), o);
                    return List.of(e.host(o));
                }));
            }
        }
        cs.add(new Case("unary exp int64 -> float32 output", F32, 0, e -> {
            View x = e.in(DType.INT64, new long[] {4}, new long[] {-2, 0, 1, 3});
            View o = e.out(DType.FLOAT32, 4);
            e.b().unary(UnaryOp.EXP, x, o);
            return List.of(e.host(o));
        }));
        // ---- clamp ----
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64, DType.UINT8}) {
            for (double[] mm : new double[][] {{-1, 1}, {Double.NaN, 0.5}, {-0.5, Double.NaN}, {2, 1}}) {
                cs.add(new Case("clamp " + t + " [" + mm[0] + ", " + mm[1] + "]", F32, 0, e -> {
                    View x = e.in(t, new long[] {3, 5}, t.isFloatingPoint() ? specials(9, 15) : longs(9, 15, 0, 5));
                    View o = e.out(t, 3, 5);
                    e.b().clamp(x, mm[0], mm[1], o);
                    return List.of(e.host(o));
                }));
            }
        }
        // ---- binary: every op in each compute dtype, broadcasting ----
        for (BinaryOp op : BinaryOp.values()) {
            for (DType c : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.FLOAT16, DType.INT64, DType.INT32, DType.UINT8, DType.BOOL}) {
                double tol = c == DType.FLOAT16 ? 1e-3 : c == DType.FLOAT64 ? 1e-12 : F32;
                cs.add(new Case("binary " + op + " " + c, tol, 0, e -> {
                    boolean intOp = !c.isFloatingPoint();
                    Object ha = intOp ? longs(op.ordinal(), 12, -9, 9) : specials(op.ordinal(), 12);
                    long[] hbv = longs(op.ordinal() + 100, 20, 1, 5);
                    if (op == BinaryOp.POW && intOp) for (int i = 0; i < hbv.length; i++) hbv[i] = i % 4;
                    Object hb = intOp ? (Object) hbv : floats(op.ordinal() + 100, 20, -3, 3);
                    View a = e.in(c, new long[] {3, 1, 4}, ha);
                    View b = e.in(c, new long[] {5, 4}, hb);
                    long[] shape = {3, 5, 4};
                    View o = e.out(op.writesBool() ? DType.BOOL : c, shape);
                    e.b().binary(op, expand(a, shape), expand(b, shape), o, c);
                    return List.of(e.host(o));
                }));
            }
        }
        cs.add(new Case("binary ADD float32 mixed int64 operand", F32, 0, e -> {
            View a = e.in(DType.INT64, new long[] {6}, longs(4, 6, -5, 5));
            View b = e.in(DType.FLOAT32, new long[] {6}, floats(4, 6, -1, 1));
            View o = e.out(DType.FLOAT32, 6);
            e.b().binary(BinaryOp.ADD, a, b, o, DType.FLOAT32);
            return List.of(e.host(o));
        }));
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}) {
            cs.add(new Case("binary float32 fast path " + op + " with scalar and offset", F32, 0, e -> {
                View a = e.in(DType.FLOAT32, new long[] {1000}, floats(5, 1000, -2, 2));
                View s = e.in(DType.FLOAT32, new long[] {1}, new float[] {1.25f});
                View a2 = new View(a.storage(), new long[] {999}, new long[] {1}, 1);
                View o = e.out(DType.FLOAT32, 999);
                e.b().binary(op, a2, expand(s, new long[] {999}), o, DType.FLOAT32);
                return List.of(e.host(o));
            }));
        }
        for (BinaryOp op : new BinaryOp[] {BinaryOp.DIV, BinaryOp.REMAINDER}) {
            cs.add(new Case("binary integer " + op + " by zero", F32, 0, e -> {
                View a = e.in(DType.INT64, new long[] {3}, new long[] {4, 5, 6});
                View b = e.in(DType.INT64, new long[] {3}, new long[] {1, 0, 2});
                View o = e.out(DType.INT64, 3);
                e.b().binary(op, a, b, o, DType.INT64);
                return List.of(e.host(o));
            }));
        }
        cs.add(new Case("binary integer POW negative exponent", F32, 0, e -> {
            View a = e.in(DType.INT32, new long[] {2}, new int[] {2, 3});
            View b = e.in(DType.INT32, new long[] {2}, new int[] {1, -1});
            View o = e.out(DType.INT32, 2);
            e.b().binary(BinaryOp.POW, a, b, o, DType.INT32);
            return List.of(e.host(o));
        }));
        // ---- where ----
        for (DType t : new DType[] {DType.FLOAT32, DType.INT64, DType.BOOL, DType.FLOAT16}) {
            cs.add(new Case("where " + t, F32, 0, e -> {
                long[] shape = {4, 6};
                View c = e.in(DType.BOOL, new long[] {4, 1}, new boolean[] {true, false, true, false});
                View a = e.in(t, shape, hostData(t, 11, 24));
                View b = e.in(t, new long[] {6}, hostData(t, 12, 6));
                View o = e.out(t, shape);
                e.b().where(expand(c, shape), a, expand(b, shape), o);
                return List.of(e.host(o));
            }));
        }
        // ---- reductions ----
        int[][] dimSets = {{0}, {1}, {2}, {0, 2}, {0, 1, 2}};
        for (ReduceOp op : ReduceOp.values()) {
            DType[] types = op == ReduceOp.ALL || op == ReduceOp.ANY ? new DType[] {DType.BOOL, DType.FLOAT32}
                    : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64, DType.INT32, DType.FLOAT16};
            for (DType t : types) {
                for (int[] dims : dimSets) {
                    double tol = t == DType.FLOAT16 ? 1e-3 : t == DType.FLOAT64 ? 1e-10 : F32;
                    cs.add(new Case("reduce " + op + " " + t + " dims " + java.util.Arrays.toString(dims), tol, 0, e -> {
                        Object h = op == ReduceOp.PROD && t.isFloatingPoint() ? floats(7, 60, 0.5, 1.5)
                                : op == ReduceOp.PROD ? longs(7, 60, -2, 3) : hostData(t, 7, 60);
                        View x = transpose(e.in(t, new long[] {5, 4, 3}, h), 0, 2); // [3, 4, 5], strided
                        long[] os = {3, 4, 5};
                        for (int d : dims) os[d] = 1;
                        DType ot = op == ReduceOp.ALL || op == ReduceOp.ANY ? DType.BOOL : t;
                        View o = e.out(ot, os);
                        e.b().reduce(op, x, dims, o);
                        return List.of(e.host(o));
                    }));
                }
            }
        }
        // A sum of 10^6 values in [-1, 1] cancels to about 7: both backends accumulate in double, so the float32 results
        // agree to the relative bound even though the sum is small against the sum of |x|.
        cs.add(new Case("reduce SUM float32 large (split blocks)", F32, 0, e -> {
            View x = e.in(DType.FLOAT32, new long[] {1_000_003}, floats(8, 1_000_003, -1, 1));
            View o = e.out(DType.FLOAT32, 1);
            e.b().reduce(ReduceOp.SUM, x, new int[] {0}, o);
            View m = e.out(DType.FLOAT32, 1);
            e.b().reduce(ReduceOp.MAX, x, new int[] {0}, m);
            return List.of(e.host(o), e.host(m));
        }));
        cs.add(new Case("reduce MAX float32 with NaN", F32, 0, e -> {
            View x = e.in(DType.FLOAT32, new long[] {3, 11}, specials(21, 33));
            View o = e.out(DType.FLOAT32, 3, 1);
            e.b().reduce(ReduceOp.MAX, x, new int[] {1}, o);
            View s = e.out(DType.FLOAT32, 1, 11);
            e.b().reduce(ReduceOp.MIN, x, new int[] {0}, s);
            return List.of(e.host(o), e.host(s));
        }));
        // ---- argmax / argmin ----
        for (boolean max : new boolean[] {true, false}) {
            for (DType t : new DType[] {DType.FLOAT32, DType.INT64, DType.FLOAT64}) {
                for (int dim : new int[] {0, 1}) {
                    cs.add(new Case((max ? "argmax " : "argmin ") + t + " dim " + dim, F32, 0, e -> {
                        Object h = t == DType.FLOAT32 ? specials(31 + dim, 40) : t.isFloatingPoint() ? doubles(31, 40, -1, 1) : longs(31, 40, -3, 3);
                        View x = e.in(t, new long[] {5, 8}, h);
                        long[] os = {5, 8};
                        os[dim] = 1;
                        View v = e.out(t, os);
                        View i = e.out(DType.INT64, os);
                        e.b().argReduce(max, x, dim, v, i);
                        return List.of(e.host(v), e.host(i));
                    }));
                }
            }
        }
        cs.add(new Case("argmax long row", F32, 0, e -> {
            float[] h = floats(33, 5000, -1, 1);
            h[4321] = 5f;
            h[4400] = 5f;
            View x = e.in(DType.FLOAT32, new long[] {1, 5000}, h);
            View v = e.out(DType.FLOAT32, 1, 1);
            View i = e.out(DType.INT64, 1, 1);
            e.b().argReduce(true, x, 1, v, i);
            return List.of(e.host(v), e.host(i));
        }));
        // ---- matmul: cuBLAS shapes and layouts, and the tiled kernel for other dtypes ----
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64, DType.FLOAT16, DType.INT32}) {
            double tol = t == DType.FLOAT16 ? 2e-3 : t == DType.FLOAT64 ? 1e-12 : F32;
            double atol = t == DType.FLOAT32 ? 1e-4 : t == DType.FLOAT16 ? 1e-2 : 0;
            for (int layout = 0; layout < 4; layout++) {
                int l = layout;
                cs.add(new Case("matmul " + t + " layout " + l, tol, atol, e -> {
                    long b = 3, m = 17, k = 33, n = 9;
                    Object ha = hostData(t, 41, (int) (b * m * k));
                    Object hb = hostData(t, 42, (int) (b * k * n));
                    // layout bit 0: a stored transposed; bit 1: b shared by the batch (stride 0) and stored transposed.
                    View a = (l & 1) == 0 ? e.in(t, new long[] {b, m, k}, ha) : transpose(e.in(t, new long[] {b, k, m}, ha), 1, 2);
                    View bb = (l & 2) == 0 ? e.in(t, new long[] {b, k, n}, hb)
                            : expand(transpose(e.in(t, new long[] {1, n, k}, hostData(t, 47, (int) (n * k))), 1, 2), new long[] {b, k, n});
                    View o = e.out(t, b, m, n);
                    e.b().matmul(a, bb, o);
                    return List.of(e.host(o));
                }));
            }
        }
        cs.add(new Case("matmul float32 large", F32, 1e-3, e -> {
            View a = e.in(DType.FLOAT32, new long[] {1, 130, 257}, floats(43, 130 * 257, -1, 1));
            View b = e.in(DType.FLOAT32, new long[] {1, 257, 70}, floats(44, 257 * 70, -1, 1));
            View o = e.out(DType.FLOAT32, 1, 130, 70);
            e.b().matmul(a, b, o);
            return List.of(e.host(o));
        }));
        cs.add(new Case("matmul float32 vector shapes and k = 0", F32, 1e-4, e -> {
            View a = e.in(DType.FLOAT32, new long[] {2, 1, 5}, floats(45, 10, -1, 1));
            View b = e.in(DType.FLOAT32, new long[] {2, 5, 1}, floats(46, 10, -1, 1));
            View o = e.out(DType.FLOAT32, 2, 1, 1);
            e.b().matmul(a, b, o);
            View a0 = e.in(DType.FLOAT32, new long[] {1, 3, 0}, new float[0]);
            View b0 = e.in(DType.FLOAT32, new long[] {1, 0, 2}, new float[0]);
            View o0 = e.out(DType.FLOAT32, 1, 3, 2);
            e.b().fill(o0, 7);
            e.b().matmul(a0, b0, o0);
            return List.of(e.host(o), e.host(o0));
        }));
        // ---- softmax ----
        for (boolean log : new boolean[] {false, true}) {
            for (int dim : new int[] {0, 1}) {
                for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                    cs.add(new Case((log ? "log_softmax " : "softmax ") + t + " dim " + dim, t == DType.FLOAT64 ? 1e-10 : F32, t == DType.FLOAT64 ? 1e-12 : 0, e -> {
                        float[] h = floats(51, 4 * 300, -10, 10);
                        h[5] = Float.NEGATIVE_INFINITY;
                        View x = e.in(t, new long[] {4, 300}, h);
                        View o = e.out(t, 4, 300);
                        e.b().softmax(x, dim, log, o);
                        return List.of(e.host(o));
                    }));
                }
            }
        }
        // ---- indexing ----
        for (DType t : new DType[] {DType.FLOAT32, DType.INT64, DType.FLOAT16, DType.BOOL}) {
            for (int dim : new int[] {0, 1}) {
                cs.add(new Case("indexSelect " + t + " dim " + dim, F32, 0, e -> {
                    View src = e.in(t, new long[] {4, 5}, hostData(t, 61, 20));
                    View idx = e.in(DType.INT64, new long[] {3}, new long[] {2, -1, 0});
                    long[] os = {4, 5};
                    os[dim] = 3;
                    View o = e.out(t, os);
                    e.b().indexSelect(transpose(transpose(src, 0, 1), 0, 1), dim, idx, o);
                    return List.of(e.host(o));
                }));
            }
        }
        cs.add(new Case("indexSelect out of range", F32, 0, e -> {
            View src = e.in(DType.FLOAT32, new long[] {4, 5}, floats(62, 20, -1, 1));
            View idx = e.in(DType.INT64, new long[] {3}, new long[] {1, 7, 9});
            View o = e.out(DType.FLOAT32, 3, 5);
            e.b().indexSelect(src, 0, idx, o);
            return List.of(e.host(o));
        }));
        for (DType t : new DType[] {DType.FLOAT32, DType.INT64, DType.FLOAT64}) {
            for (int dim : new int[] {0, 1}) {
                cs.add(new Case("gather " + t + " dim " + dim, F32, 0, e -> {
                    View src = e.in(t, new long[] {4, 5}, hostData(t, 63, 20));
                    long size = dim == 0 ? 4 : 5;
                    View idx = e.in(DType.INT64, new long[] {3, 4}, longs(64, 12, -size, size));
                    View o = e.out(t, 3, 4);
                    e.b().gather(src, dim, idx, o);
                    return List.of(e.host(o));
                }));
                cs.add(new Case("scatter " + t + " dim " + dim, F32, 0, e -> {
                    View self = e.in(t, new long[] {4, 5}, hostData(t, 65, 20));
                    // A permutation along dim so that no two sources write one place.
                    long[] perm = dim == 0 ? new long[] {3, 0, 2, 1, 0, 3, 1, 2} : new long[] {4, 0, 2, 3, 1, 0, 2, 4};
                    View idx = dim == 0 ? transpose(e.in(DType.INT64, new long[] {2, 4}, perm), 0, 1) : e.in(DType.INT64, new long[] {2, 4}, perm);
                    View src = e.in(t, new long[] {4, 4}, hostData(t, 66, 16));
                    if (dim == 0) {
                        View i2 = e.in(DType.INT64, new long[] {4, 2}, new long[] {3, 1, 0, 2, 2, 0, 1, 3});
                        e.b().scatter(self, 0, i2, src, false);
                    } else {
                        e.b().scatter(self, 1, idx, src, false);
                    }
                    return List.of(e.host(self));
                }));
                cs.add(new Case("scatterAdd " + t + " dim " + dim, t == DType.FLOAT32 ? F32 : 1e-12, 0, e -> {
                    View self = e.in(t, new long[] {4, 5}, hostData(t, 67, 20));
                    long size = dim == 0 ? 4 : 5;
                    View idx = e.in(DType.INT64, new long[] {4, 4}, longs(68, 16, -size, size));
                    View src = e.in(t, new long[] {4, 4}, hostData(t, 69, 16));
                    e.b().scatter(self, dim, idx, src, true);
                    return List.of(e.host(self));
                }));
                cs.add(new Case("indexAdd " + t + " dim " + dim, t == DType.FLOAT32 ? F32 : 1e-12, 0, e -> {
                    View self = e.in(t, new long[] {4, 5}, hostData(t, 70, 20));
                    View idx = e.in(DType.INT64, new long[] {6}, new long[] {1, 3, 1, -1, 0, 1});
                    long[] ss = {4, 5};
                    ss[dim] = 6;
                    View src = e.in(t, ss, hostData(t, 71, (int) numel(ss)));
                    e.b().indexAdd(self, dim, idx, src);
                    return List.of(e.host(self));
                }));
            }
        }
        for (DType t : new DType[] {DType.FLOAT16, DType.UINT8, DType.BOOL, DType.INT8}) {
            cs.add(new Case("scatterAdd and indexAdd on narrow dtype " + t, 1e-3, 0, e -> {
                View self = e.in(t, new long[] {6}, hostData(t, 72, 6));
                View idx = e.in(DType.INT64, new long[] {8}, new long[] {0, 1, 1, 5, 2, 1, 0, 4});
                View src = e.in(t, new long[] {8}, hostData(t, 73, 8));
                e.b().scatter(self, 0, idx, src, true);
                e.b().indexAdd(self, 0, idx, src);
                return List.of(e.host(self));
            }));
        }
        cs.add(new Case("gather out of range", F32, 0, e -> {
            View src = e.in(DType.FLOAT32, new long[] {4}, floats(74, 4, -1, 1));
            View idx = e.in(DType.INT64, new long[] {3}, new long[] {0, -5, 1});
            View o = e.out(DType.FLOAT32, 3);
            e.b().gather(src, 0, idx, o);
            return List.of(e.host(o));
        }));
        cs.add(new Case("indexAdd on a 0-dim tensor", F32, 0, e -> {
            View self = e.in(DType.FLOAT32, new long[0], new float[] {1.5f});
            View idx = e.in(DType.INT64, new long[] {3}, new long[] {0, 0, -1});
            View src = e.in(DType.FLOAT32, new long[] {3}, new float[] {1f, 2f, 4f});
            e.b().indexAdd(self, 0, idx, src);
            return List.of(e.host(self));
        }));
        // ---- nonzero ----
        for (DType t : new DType[] {DType.FLOAT32, DType.INT64, DType.BOOL}) {
            for (int size : new int[] {60, 5003}) {
                cs.add(new Case("nonzero " + t + " " + size, F32, 0, e -> {
                    Object h = t == DType.FLOAT32 ? floats(81, size, -1, 1) : t == DType.BOOL ? hostData(t, 81, size) : longs(81, size, -1, 2);
                    if (t == DType.FLOAT32) {
                        float[] f = (float[]) h;
                        for (int i = 0; i < f.length; i += 3) f[i] = 0;
                        f[1] = Float.NaN;
                    }
                    // 60 elements as a transposed [4, 15] view; 5003 (several blocks) as one row.
                    View x = size == 60 ? transpose(e.in(t, new long[] {15, 4}, h), 0, 1) : e.in(t, new long[] {size}, h);
                    long c = e.b().countNonzero(x);
                    View o = e.out(DType.INT64, c, x.dim());
                    e.b().nonzero(x, o);
                    return List.of(new long[] {c}, e.host(o));
                }));
            }
        }
        cs.add(new Case("nonzero 0-dim", F32, 0, e -> {
            View x = e.in(DType.FLOAT32, new long[0], new float[] {3f});
            long c = e.b().countNonzero(x);
            View o = e.out(DType.INT64, c, 0);
            e.b().nonzero(x, o);
            return List.of(new long[] {c}, e.host(o));
        }));
        // ---- sliding windows ----
        int[][] windows = {{3, 3, 1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 0, 0, 1, 1}, {3, 2, 2, 1, 1, 0, 2, 1}, {1, 1, 1, 1, 0, 0, 1, 1}, {3, 3, 2, 3, 1, 1, 1, 2}};
        for (int[] wv : windows) {
            String ws = java.util.Arrays.toString(wv);
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                cs.add(new Case("im2col " + t + " " + ws, F32, 0, e -> {
                    long n = 2, c = 3, h = 7, w = 6;
                    Window2d win = window(wv, h, w);
                    View x = transpose(transpose(e.in(t, new long[] {n, c, w, h}, hostData(t, 91, (int) (n * c * h * w))), 2, 3), 2, 3);
                    x = new View(x.storage(), new long[] {n, c, h, w}, new long[] {c * h * w, h * w, 1, h}, 0);
                    View o = e.out(t, n, c * win.kh() * win.kw(), (long) win.oh() * win.ow());
                    e.b().im2col(x, win, o);
                    return List.of(e.host(o));
                }));
                cs.add(new Case("col2im " + t + " " + ws, F32, 0, e -> {
                    long n = 2, c = 3, h = 7, w = 6;
                    Window2d win = window(wv, h, w);
                    long rows = c * win.kh() * win.kw(), cols = (long) win.oh() * win.ow();
                    View col = e.in(t, new long[] {n, rows, cols}, hostData(t, 92, (int) (n * rows * cols)));
                    View o = e.in(t, new long[] {n, c, h, w}, hostData(t, 93, (int) (n * c * h * w)));
                    e.b().col2im(col, win, o);
                    return List.of(e.host(o));
                }));
                cs.add(new Case("maxPool2d " + t + " " + ws, F32, 0, e -> {
                    long n = 2, c = 3, h = 7, w = 6;
                    Window2d win = window(wv, h, w);
                    float[] data = specials(94, (int) (n * c * h * w));
                    for (int i = 40; i < 60; i++) data[i] = 1f; // ties
                    for (int i = 60; i < 84; i++) data[i] = Float.NEGATIVE_INFINITY;
                    View x = e.in(t, new long[] {n, c, h, w}, data);
                    View v = e.out(t, n, c, win.oh(), win.ow());
                    View i = e.out(DType.INT64, n, c, win.oh(), win.ow());
                    e.b().maxPool2d(x, win, v, i);
                    return List.of(e.host(v), e.host(i));
                }));
            }
        }
        // ---- inverse ----
        for (DType t : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            cs.add(new Case("inverse " + t, t == DType.FLOAT64 ? 1e-10 : 1e-4, 1e-5, e -> {
                int b = 3, n = 6;
                double[] h = doubles(101, b * n * n, -1, 1);
                for (int k = 0; k < b; k++) for (int i = 0; i < n; i++) h[k * n * n + i * n + i] += 4; // well conditioned
                View x = transpose(e.in(t, new long[] {b, n, n}, h), 1, 2);
                View o = e.out(t, b, n, n);
                e.b().inverse(x, o);
                return List.of(e.host(o));
            }));
        }
        cs.add(new Case("inverse singular", F32, 0, e -> {
            View x = e.in(DType.FLOAT64, new long[] {2, 2, 2}, new double[] {1, 0, 0, 1, 1, 2, 2, 4});
            View o = e.out(DType.FLOAT64, 2, 2, 2);
            e.b().inverse(x, o);
            return List.of(e.host(o));
        }));
        return cs;
    }

    static Window2d window(int[] v, long h, long w) {
        int oh = Window2d.outputSize(h, v[0], v[2], v[4], v[6]);
        int ow = Window2d.outputSize(w, v[1], v[3], v[5], v[7]);
        return new Window2d(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], oh, ow);
    }
}
