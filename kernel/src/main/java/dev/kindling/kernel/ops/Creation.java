package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.tensor.BackendHandle;
import dev.kindling.kernel.tensor.Shapes;

import java.lang.reflect.Array;

/**
 * Tensor factories. Random numbers are drawn on the host from a {@link Generator} with PyTorch's CPU algorithms
 * (same draws per element, in the same order), so a seed gives the same values on every backend.
 */
public final class Creation {
    private Creation() {}

    private static void checkShape(long[] shape) {
        for (long s : shape) {
            if (s < 0) throw new IllegalArgumentException("Trying to create tensor with negative dimension " + s + ": " + Shapes.str(shape));
        }
    }

    private static DenseTensor make(OpRuntime k, Device device, DType dtype, long[] shape, Object host) {
        BackendHandle h = k.selectBackend(device);
        return DenseTensor.contiguous(k, h, h.backend().fromHost(device, dtype, host), shape);
    }

    public static Tensor fromArray(OpRuntime k, Object data, long[] shape, DType dtype, Device device) {
        if (data == null || !data.getClass().isArray() || data.getClass().getComponentType().isArray()) {
            throw new IllegalArgumentException("tensor data must be a flat primitive array, got "
                    + (data == null ? "null" : data.getClass().getSimpleName()));
        }
        checkShape(shape);
        int n = Array.getLength(data);
        if (Shapes.numel(shape) != n) {
            throw new IllegalArgumentException("shape '" + Shapes.str(shape) + "' is invalid for input of size " + n);
        }
        return make(k, device, dtype, shape, data);
    }

    public static Tensor empty(OpRuntime k, long[] shape, DType dtype, Device device) {
        checkShape(shape);
        return DenseTensor.allocate(k, k.selectBackend(device), device, dtype, shape.clone());
    }

    public static Tensor full(OpRuntime k, long[] shape, double value, DType dtype, Device device) {
        DenseTensor t = (DenseTensor) empty(k, shape, dtype, device);
        if (value != 0) t.backend().fill(t.view(), value);
        return t;
    }

    private static void requireFloating(DType dtype, String op) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("\"" + op + "\" not implemented for '" + dtype.torchName() + "': it needs a floating dtype");
        }
    }

    /** PyTorch's uniform draws: 24 random bits for float32 (and narrower), 53 for float64. */
    static double[] uniform(int n, DType dtype, double from, double to, Generator g) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            if (dtype == DType.FLOAT64) {
                out[i] = g.nextDouble() * (to - from) + from;
            } else {
                // PyTorch's CPU kernel computes x * (to - from) + from as one fused multiply-add in float
                float x = g.nextFloat();
                out[i] = Math.fma(x, (float) to - (float) from, (float) from);
            }
        }
        return out;
    }

    /**
     * PyTorch's normal_: 16 or more elements are filled with uniforms first and transformed 16 at a time by Box-Muller
     * (the last 16 redrawn when the size is not a multiple of 16); fewer use the scalar sampler with its cached pair.
     */
    static double[] normal(int n, DType dtype, double mean, double std, Generator g) {
        double[] out = new double[n];
        if (n >= 16) {
            double[] u = uniform(n, dtype, 0, 1, g);
            System.arraycopy(u, 0, out, 0, n);
            for (int i = 0; i + 16 <= n; i += 16) fill16(out, i, mean, std, dtype);
            if (n % 16 != 0) {
                double[] tail = uniform(16, dtype, 0, 1, g);
                System.arraycopy(tail, 0, out, n - 16, 16);
                fill16(out, n - 16, mean, std, dtype);
            }
        } else {
            for (int i = 0; i < n; i++) out[i] = g.nextGaussian() * std + mean;
        }
        return out;
    }

    private static void fill16(double[] d, int o, double mean, double std, DType dtype) {
        boolean single = dtype != DType.FLOAT64;
        for (int j = 0; j < 8; j++) {
            double u1 = 1 - d[o + j];
            double u2 = d[o + j + 8];
            double radius = Math.sqrt(-2 * Math.log(u1));
            double theta = 2.0 * Math.PI * u2;
            if (single) {
                float r = (float) Math.sqrt(-2 * (float) Math.log((float) u1));
                float th = (float) theta;
                d[o + j] = (float) ((float) (r * (float) Math.cos(th)) * (float) std + (float) mean);
                d[o + j + 8] = (float) ((float) (r * (float) Math.sin(th)) * (float) std + (float) mean);
            } else {
                d[o + j] = radius * Math.cos(theta) * std + mean;
                d[o + j + 8] = radius * Math.sin(theta) * std + mean;
            }
        }
    }

    public static Tensor rand(OpRuntime k, long[] shape, DType dtype, Device device, Generator g) {
        requireFloating(dtype, "check_uniform_bounds");
        checkShape(shape);
        return make(k, device, dtype, shape.clone(), uniform(Math.toIntExact(Shapes.numel(shape)), dtype, 0, 1, g));
    }

    public static Tensor randn(OpRuntime k, long[] shape, DType dtype, Device device, Generator g) {
        requireFloating(dtype, "normal_kernel_cpu");
        checkShape(shape);
        return make(k, device, dtype, shape.clone(), normal(Math.toIntExact(Shapes.numel(shape)), dtype, 0, 1, g));
    }

    public static Tensor randint(OpRuntime k, long low, long high, long[] shape, DType dtype, Device device, Generator g) {
        if (low >= high) throw new IllegalArgumentException("random_ expects 'from' to be less than 'to', but got from=" + low + " >= to=" + high);
        checkShape(shape);
        int n = Math.toIntExact(Shapes.numel(shape));
        long range = high - low;
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = g.nextLong(range) + low;
        return make(k, device, dtype, shape.clone(), out);
    }

    public static Tensor randperm(OpRuntime k, long n, DType dtype, Device device, Generator g) {
        if (n < 0) throw new IllegalArgumentException("n must be non-negative, got" + n);
        int len = Math.toIntExact(n);
        long[] r = new long[len];
        for (int i = 0; i < len; i++) r[i] = i;
        for (int i = 0; i < len - 1; i++) {
            int z = (int) (g.nextUInt32() % (len - i));
            long sav = r[i];
            r[i] = r[z + i];
            r[z + i] = sav;
        }
        return make(k, device, dtype, new long[] {len}, r);
    }

    public static Tensor arange(OpRuntime k, double start, double end, double step, DType dtype, Device device) {
        if (!dtype.isFloatingPoint()) {
            // PyTorch converts the bounds to the integral dtype first.
            start = (long) start;
            end = (long) end;
            step = (long) step;
        }
        if (step == 0) throw new IllegalArgumentException("step must be nonzero");
        if (!(Double.isFinite(start) && Double.isFinite(end))) throw new IllegalArgumentException("unsupported range: " + start + " -> " + end);
        if ((step > 0 && end < start) || (step < 0 && end > start)) {
            throw new IllegalArgumentException("upper bound and larger bound inconsistent with step sign");
        }
        long n = (long) Math.ceil((end - start) / step);
        double[] out = new double[Math.toIntExact(n)];
        for (int i = 0; i < n; i++) out[i] = start + i * step;
        return make(k, device, dtype, new long[] {n}, dtype.isFloatingPoint() ? out : toLongs(out));
    }

    private static long[] toLongs(double[] d) {
        long[] l = new long[d.length];
        for (int i = 0; i < d.length; i++) l[i] = (long) d[i];
        return l;
    }

    public static Tensor linspace(OpRuntime k, double start, double end, long steps, DType dtype, Device device) {
        if (steps < 0) throw new IllegalArgumentException("number of steps must be non-negative");
        int n = Math.toIntExact(steps);
        double[] out = new double[n];
        if (n == 1) out[0] = start;
        if (n > 1) {
            double step = (end - start) / (n - 1);
            int half = n / 2;
            for (int i = 0; i < n; i++) out[i] = i < half ? start + step * i : end - step * (n - i - 1);
        }
        return make(k, device, dtype, new long[] {n}, dtype.isFloatingPoint() ? out : toLongs(out));
    }

    public static Tensor eye(OpRuntime k, long n, long m, DType dtype, Device device) {
        if (n < 0 || m < 0) throw new IllegalArgumentException("n and m must be non-negative, got " + n + ", " + m);
        double[] out = new double[Math.toIntExact(n * m)];
        for (long i = 0; i < Math.min(n, m); i++) out[(int) (i * m + i)] = 1;
        return make(k, device, dtype, new long[] {n, m}, out);
    }

    private static DenseTensor fillFromHost(DenseTensor self, double[] values) {
        DenseTensor src = DenseTensor.contiguous(self.kernel(), self.handle(),
                self.backend().fromHost(self.device(), self.dtype(), values), self.shapeRef());
        self.backend().copy(src.view(), self.view());
        self.versionCounter().bump();
        return self;
    }

    public static Tensor uniformInPlace(DenseTensor self, double from, double to, Generator g) {
        requireFloating(self.dtype(), "check_uniform_bounds");
        if (from > to) throw new IllegalArgumentException("uniform_ expects to return a [from, to) range, but found from=" + from + " > to=" + to);
        return fillFromHost(self, uniform(Math.toIntExact(self.numel()), self.dtype(), from, to, g));
    }

    public static Tensor normalInPlace(DenseTensor self, double mean, double std, Generator g) {
        requireFloating(self.dtype(), "normal_kernel_cpu");
        if (std < 0) throw new IllegalArgumentException("normal expects std >= 0.0, but found std " + std);
        return fillFromHost(self, normal(Math.toIntExact(self.numel()), self.dtype(), mean, std, g));
    }

    public static Tensor bernoulliInPlace(DenseTensor self, double p, Generator g) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("bernoulli_ expects p to be in [0, 1], but got p=" + p);
        int n = Math.toIntExact(self.numel());
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = g.nextDouble() < p ? 1 : 0;
        return fillFromHost(self, out);
    }

    /**
     * torch.bernoulli(p): per element, a float uniform draw below p (PyTorch's CPU kernel draws
     * {@code bernoulli_distribution<float>}, unlike bernoulli_(double), which draws doubles).
     */
    public static Tensor bernoulli(Tensor p, Generator g) {
        DenseTensor pt = Ops.d(p);
        if (!pt.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("bernoulli expects a floating probability tensor, got " + pt.dtype().torchName());
        }
        double[] pv = dev.kindling.kernel.tensor.HostData.doubles(pt.impl());
        double[] out = new double[pv.length];
        for (int i = 0; i < pv.length; i++) {
            if (!(pv[i] >= 0 && pv[i] <= 1)) throw new IllegalArgumentException("Expected p_in >= 0 && p_in <= 1 to be true, but got " + pv[i]);
            out[i] = g.nextFloat() < (float) pv[i] ? 1 : 0;
        }
        return DenseTensor.contiguous(pt.kernel(), pt.handle(), pt.backend().fromHost(pt.device(), pt.dtype(), out), pt.shapeRef());
    }

    /**
     * torch.multinomial, as PyTorch's CPU kernel draws it: without replacement (or one sample) the largest
     * {@code p / q} with {@code q ~ Exp(1)} (argmax or topk); with replacement a binary search of a uniform double in
     * the row's normalised cumulative distribution, row by row.
     */
    public static Tensor multinomial(Tensor probs, long numSamples, boolean replacement, Generator g) {
        DenseTensor p = Ops.d(probs);
        if (p.dim() < 1 || p.dim() > 2) throw new IllegalArgumentException("prob_dist must be 1 or 2 dim");
        if (!p.dtype().isFloatingPoint()) throw new IllegalArgumentException("multinomial only supports floating-point dtypes for input");
        if (numSamples <= 0) throw new IllegalArgumentException("cannot sample n_sample <= 0 samples");
        int rows = p.dim() == 1 ? 1 : Math.toIntExact(p.shapeRef()[0]);
        int cats = Math.toIntExact(p.shapeRef()[p.dim() - 1]);
        if (!replacement && numSamples > cats) {
            throw new IllegalArgumentException("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
        }
        boolean f32 = p.dtype() != DType.FLOAT64;
        double[] v = dev.kindling.kernel.tensor.HostData.doubles(p.impl());
        for (double x : v) {
            if (!(x >= 0) || Double.isInfinite(x)) throw new IllegalArgumentException("probability tensor contains either `inf`, `nan` or element < 0");
        }
        int n = Math.toIntExact(numSamples);
        long[] out = new long[rows * n];
        if (!replacement || n == 1) {
            double[] key = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                double q = -Math.log1p(-g.nextDouble());
                key[i] = f32 ? (float) v[i] / (float) q : v[i] / q;
            }
            for (int r = 0; r < rows; r++) {
                Integer[] order = new Integer[cats];
                for (int j = 0; j < cats; j++) order[j] = j;
                int base = r * cats;
                java.util.Arrays.sort(order, (a, b) -> Double.compare(key[base + b], key[base + a])); // stable: ties keep the lower index first
                for (int s = 0; s < n; s++) out[r * n + s] = order[s];
            }
        } else {
            for (int r = 0; r < rows; r++) {
                double[] cum = new double[cats];
                double sum = 0;
                for (int j = 0; j < cats; j++) {
                    sum += v[r * cats + j];
                    cum[j] = f32 ? (float) sum : sum;
                }
                if (sum <= 0) throw new IllegalArgumentException("invalid multinomial distribution (sum of probabilities <= 0)");
                for (int j = 0; j < cats; j++) cum[j] = f32 ? (float) cum[j] / (float) sum : cum[j] / sum;
                cum[cats - 1] = 1; // as PyTorch's kernel: a draw above a last bucket rounded below 1 still lands in it
                for (int s = 0; s < n; s++) {
                    double u = g.nextDouble();
                    int left = 0, right = cats;
                    while (right - left > 0) {
                        int mid = left + (right - left) / 2;
                        if (cum[mid] < u) left = mid + 1;
                        else right = mid;
                    }
                    out[r * n + s] = left;
                }
            }
        }
        long[] shape = p.dim() == 1 ? new long[] {n} : new long[] {rows, n};
        return DenseTensor.contiguous(p.kernel(), p.handle(), p.backend().fromHost(p.device(), DType.INT64, out), shape);
    }
}
