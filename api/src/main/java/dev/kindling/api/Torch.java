package dev.kindling.api;

import dev.kindling.api.spi.TensorRuntime;
import dev.kindling.api.spi.TensorRuntimes;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The {@code torch} namespace: tensor creation, joining, random seeds, grad mode and devices. */
public final class Torch extends TorchFunctions {
    private Torch() {}

    private static TensorRuntime rt() { return TensorRuntimes.get(); }

    // ---- tensor(...) from Java arrays ----
    // A flat array alone is 1-d (torch.tensor([1., 2.])); given a shape it takes that shape, and an empty shape
    // (new long[0]) makes a 0-dim tensor of one element, as torch.tensor(5.) is.
    public static Tensor tensor(float[] data) { return tensor(data, (long) data.length); }
    public static Tensor tensor(double[] data) { return tensor(data, (long) data.length); }
    public static Tensor tensor(long[] data) { return tensor(data, (long) data.length); }
    public static Tensor tensor(int[] data) { return tensor(data, (long) data.length); }
    public static Tensor tensor(boolean[] data) { return tensor(data, (long) data.length); }
    /** UINT8 data (bytes read as unsigned), e.g. image pixels. */
    public static Tensor tensor(byte[] data) { return tensor(data, (long) data.length); }
    public static Tensor tensor(float[] data, long... shape) { return rt().fromArray(data, shapeOf(shape), DType.FLOAT32, Device.CPU); }
    public static Tensor tensor(double[] data, long... shape) { return rt().fromArray(data, shapeOf(shape), DType.FLOAT64, Device.CPU); }
    public static Tensor tensor(long[] data, long... shape) { return rt().fromArray(data, shapeOf(shape), DType.INT64, Device.CPU); }
    public static Tensor tensor(int[] data, long... shape) { return rt().fromArray(data, shapeOf(shape), DType.INT32, Device.CPU); }
    public static Tensor tensor(boolean[] data, long... shape) { return rt().fromArray(data, shapeOf(shape), DType.BOOL, Device.CPU); }
    public static Tensor tensor(byte[] data, long... shape) { return rt().fromArray(data, shapeOf(shape), DType.UINT8, Device.CPU); }
    /** Flat data converted to {@code dtype}, 1-d. */
    public static Tensor tensor(Object flatArray, DType dtype) {
        if (flatArray == null || !flatArray.getClass().isArray()) throw new IllegalArgumentException("tensor data must be a flat primitive array, got " + flatArray);
        return tensor(flatArray, dtype, (long) Array.getLength(flatArray));
    }

    /** Flat data converted to {@code dtype}, with {@code shape} (empty: 0-dim). */
    public static Tensor tensor(Object flatArray, DType dtype, long... shape) {
        return rt().fromArray(flatArray, shapeOf(shape), dtype, Device.CPU);
    }

    public static Tensor tensor(float[][] data) { return nested(data, DType.FLOAT32); }
    public static Tensor tensor(float[][][] data) { return nested(data, DType.FLOAT32); }
    public static Tensor tensor(float[][][][] data) { return nested(data, DType.FLOAT32); }
    public static Tensor tensor(double[][] data) { return nested(data, DType.FLOAT64); }
    public static Tensor tensor(double[][][] data) { return nested(data, DType.FLOAT64); }
    public static Tensor tensor(double[][][][] data) { return nested(data, DType.FLOAT64); }
    public static Tensor tensor(long[][] data) { return nested(data, DType.INT64); }
    public static Tensor tensor(long[][][] data) { return nested(data, DType.INT64); }
    public static Tensor tensor(long[][][][] data) { return nested(data, DType.INT64); }
    public static Tensor tensor(int[][] data) { return nested(data, DType.INT32); }
    public static Tensor tensor(int[][][] data) { return nested(data, DType.INT32); }
    public static Tensor tensor(int[][][][] data) { return nested(data, DType.INT32); }
    public static Tensor tensor(boolean[][] data) { return nested(data, DType.BOOL); }
    public static Tensor tensor(boolean[][][] data) { return nested(data, DType.BOOL); }
    public static Tensor tensor(boolean[][][][] data) { return nested(data, DType.BOOL); }

    /** {@code torch.tensor(data, requires_grad=...)} for floating data. */
    public static Tensor tensor(float[][] data, boolean requiresGrad) { return tensor(data).requiresGrad_(requiresGrad); }
    public static Tensor tensor(double[][] data, boolean requiresGrad) { return tensor(data).requiresGrad_(requiresGrad); }
    public static Tensor tensor(float[] data, boolean requiresGrad) { return tensor(data).requiresGrad_(requiresGrad); }
    public static Tensor tensor(double[] data, boolean requiresGrad) { return tensor(data).requiresGrad_(requiresGrad); }

    /** A 0-dim FLOAT32 tensor ({@code torch.tensor(3.5)}). */
    public static Tensor tensor(double value) { return rt().fromArray(new double[] {value}, new long[0], DType.FLOAT32, Device.CPU); }
    /** A 0-dim INT64 tensor ({@code torch.tensor(7)}). */
    public static Tensor tensor(long value) { return rt().fromArray(new long[] {value}, new long[0], DType.INT64, Device.CPU); }
    public static Tensor tensor(boolean value) { return rt().fromArray(new boolean[] {value}, new long[0], DType.BOOL, Device.CPU); }
    public static Tensor tensor(double value, boolean requiresGrad) { return tensor(value).requiresGrad_(requiresGrad); }

    private static long[] shapeOf(long[] shape) {
        if (shape == null) throw new IllegalArgumentException("shape is null: pass new long[0] for a 0-dim tensor");
        return shape;
    }

    private static Tensor nested(Object data, DType dtype) {
        List<Long> shape = new ArrayList<>();
        Object probe = data;
        while (probe != null && probe.getClass().isArray()) {
            int n = Array.getLength(probe);
            shape.add((long) n);
            if (!probe.getClass().getComponentType().isArray() || n == 0) break;
            probe = Array.get(probe, 0);
        }
        long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
        long numel = 1;
        for (long d : dims) numel = Math.multiplyExact(numel, d);
        Object flat = Array.newInstance(leafType(data.getClass()), Math.toIntExact(numel));
        int[] pos = {0};
        flatten(data, 0, dims, flat, pos);
        return rt().fromArray(flat, dims, dtype, Device.CPU);
    }

    private static Class<?> leafType(Class<?> c) {
        while (c.isArray()) c = c.getComponentType();
        return c;
    }

    private static void flatten(Object arr, int depth, long[] dims, Object flat, int[] pos) {
        if (arr == null) throw new IllegalArgumentException("tensor data has a null row at dim " + depth);
        int n = Array.getLength(arr);
        if (n != dims[depth]) {
            throw new IllegalArgumentException("expected sequence of length " + dims[depth] + " at dim " + depth + " (got " + n + ")");
        }
        if (depth == dims.length - 1) {
            if (arr.getClass().getComponentType().isArray()) {
                throw new IllegalArgumentException("tensor data is ragged at dim " + depth);
            }
            System.arraycopy(arr, 0, flat, pos[0], n);
            pos[0] += n;
            return;
        }
        for (int i = 0; i < n; i++) flatten(Array.get(arr, i), depth + 1, dims, flat, pos);
    }

    // ---- factories ----
    public static Tensor zeros(long... shape) { return full(shape, 0.0, DType.FLOAT32); }
    public static Tensor zeros(DType dtype, long... shape) { return full(shape, 0.0, dtype); }
    public static Tensor ones(long... shape) { return full(shape, 1.0, DType.FLOAT32); }
    public static Tensor ones(DType dtype, long... shape) { return full(shape, 1.0, dtype); }
    /** Uninitialised in PyTorch; Kindling's is zero-filled on the CPU. */
    public static Tensor empty(long... shape) { return rt().empty(shape, DType.FLOAT32, Device.CPU); }
    public static Tensor empty(DType dtype, long... shape) { return rt().empty(shape, dtype, Device.CPU); }
    /** A FLOAT32 tensor filled with {@code value} ({@code torch.full} infers float from a float value). */
    public static Tensor full(long[] shape, double value) { return full(shape, value, DType.FLOAT32); }
    public static Tensor full(long[] shape, double value, DType dtype) { return rt().full(shape, value, dtype, Device.CPU); }
    public static Tensor full(long[] shape, double value, DType dtype, Device device) { return rt().full(shape, value, dtype, device); }
    public static Tensor zeros(long[] shape, DType dtype, Device device) { return rt().full(shape, 0, dtype, device); }
    public static Tensor ones(long[] shape, DType dtype, Device device) { return rt().full(shape, 1, dtype, device); }

    public static Tensor rand(long... shape) { return rand(DType.FLOAT32, shape); }
    public static Tensor rand(DType dtype, long... shape) { return rt().rand(shape, dtype, Device.CPU, null); }
    public static Tensor rand(Generator generator, long... shape) { return rt().rand(shape, DType.FLOAT32, Device.CPU, generator); }
    public static Tensor randn(long... shape) { return randn(DType.FLOAT32, shape); }
    public static Tensor randn(DType dtype, long... shape) { return rt().randn(shape, dtype, Device.CPU, null); }
    public static Tensor randn(Generator generator, long... shape) { return rt().randn(shape, DType.FLOAT32, Device.CPU, generator); }
    /** Integers uniform in [low, high), INT64. */
    public static Tensor randint(long low, long high, long... shape) { return rt().randint(low, high, shape, DType.INT64, Device.CPU, null); }
    public static Tensor randint(long low, long high, long[] shape, Generator generator) { return rt().randint(low, high, shape, DType.INT64, Device.CPU, generator); }
    /** A random permutation of 0..n-1, INT64. */
    public static Tensor randperm(long n) { return rt().randperm(n, DType.INT64, Device.CPU, null); }
    public static Tensor randperm(long n, Generator generator) { return rt().randperm(n, DType.INT64, Device.CPU, generator); }

    /** torch.einsum("ij,jk->ik", a, b): Einstein summation (letters as labels; no ellipsis yet). */
    public static Tensor einsum(String equation, Tensor... operands) {
        if (operands.length == 0) throw new IllegalArgumentException("einsum(): must provide at least one operand");
        return operands[0].callOp("einsum", operands, equation)[0];
    }

    /** torch.normal(mean, std, size): float32 normal samples. */
    public static Tensor normal(double mean, double std, long... size) { return normal(mean, std, size, null); }
    public static Tensor normal(double mean, double std, long[] size, Generator generator) {
        return empty(size).normal_(mean, std, generator);
    }
    /** torch.normal(mean, std) with a tensor of means: {@code mean + std * N(0, 1)}, elementwise. */
    public static Tensor normal(Tensor mean, double std) { return normal(mean, std, null); }
    public static Tensor normal(Tensor mean, double std, Generator generator) {
        return emptyLike(mean).normal_(0, 1, generator).mul(std).add(mean);
    }
    /** torch.normal(mean, std) with tensors of means and standard deviations (of mean's shape). */
    public static Tensor normal(Tensor mean, Tensor std) { return normal(mean, std, null); }
    public static Tensor normal(Tensor mean, Tensor std, Generator generator) {
        return emptyLike(mean).normal_(0, 1, generator).mul(std).add(mean);
    }
    /** torch.bernoulli(p): 1 with probability p, per element. */
    public static Tensor bernoulli(Tensor p) { return rt().bernoulli(p, null); }
    public static Tensor bernoulli(Tensor p, Generator generator) { return rt().bernoulli(p, generator); }
    /** torch.multinomial(input, num_samples, replacement=False). */
    public static Tensor multinomial(Tensor input, long numSamples) { return multinomial(input, numSamples, false, null); }
    public static Tensor multinomial(Tensor input, long numSamples, boolean replacement) { return multinomial(input, numSamples, replacement, null); }
    public static Tensor multinomial(Tensor input, long numSamples, boolean replacement, Generator generator) {
        return rt().multinomial(input, numSamples, replacement, generator);
    }

    public static Tensor eye(long n) { return rt().eye(n, n, DType.FLOAT32, Device.CPU); }
    public static Tensor eye(long n, long m) { return rt().eye(n, m, DType.FLOAT32, Device.CPU); }
    public static Tensor eye(DType dtype, long n) { return rt().eye(n, n, dtype, Device.CPU); }

    /** Integers in [0, end), INT64. */
    public static Tensor arange(long end) { return arange(0, end, 1); }
    public static Tensor arange(long start, long end) { return arange(start, end, 1); }
    /** Integers start, start+step, ... below end, INT64. */
    public static Tensor arange(long start, long end, long step) { return rt().arange(start, end, step, DType.INT64, Device.CPU); }
    /** FLOAT32 values start, start+step, ... below end. */
    public static Tensor arange(double start, double end, double step) { return rt().arange(start, end, step, DType.FLOAT32, Device.CPU); }
    public static Tensor arange(double start, double end, double step, DType dtype) { return rt().arange(start, end, step, dtype, Device.CPU); }
    public static Tensor linspace(double start, double end, long steps) { return rt().linspace(start, end, steps, DType.FLOAT32, Device.CPU); }
    public static Tensor linspace(double start, double end, long steps, DType dtype) { return rt().linspace(start, end, steps, dtype, Device.CPU); }

    public static Tensor zerosLike(Tensor t) { return rt().full(t.shape(), 0, t.dtype(), t.device()); }
    public static Tensor onesLike(Tensor t) { return rt().full(t.shape(), 1, t.dtype(), t.device()); }
    public static Tensor emptyLike(Tensor t) { return rt().empty(t.shape(), t.dtype(), t.device()); }
    public static Tensor fullLike(Tensor t, double value) { return rt().full(t.shape(), value, t.dtype(), t.device()); }
    public static Tensor randLike(Tensor t) { return rt().rand(t.shape(), floating(t, "rand_like"), t.device(), null); }
    public static Tensor randnLike(Tensor t) { return rt().randn(t.shape(), floating(t, "randn_like"), t.device(), null); }

    private static DType floating(Tensor t, String op) {
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("\"" + op + "\" not implemented for '" + t.dtype().torchName() + "': it needs a floating dtype");
        }
        return t.dtype();
    }

    // ---- joining and selection ----
    public static Tensor cat(List<Tensor> tensors, int dim) { return rt().cat(tensors, dim); }
    public static Tensor cat(List<Tensor> tensors) { return rt().cat(tensors, 0); }
    public static Tensor cat(int dim, Tensor... tensors) { return rt().cat(Arrays.asList(tensors), dim); }
    public static Tensor cat(Tensor... tensors) { return rt().cat(Arrays.asList(tensors), 0); }
    public static Tensor stack(List<Tensor> tensors, int dim) { return rt().stack(tensors, dim); }
    public static Tensor stack(List<Tensor> tensors) { return rt().stack(tensors, 0); }
    public static Tensor stack(int dim, Tensor... tensors) { return rt().stack(Arrays.asList(tensors), dim); }
    public static Tensor stack(Tensor... tensors) { return rt().stack(Arrays.asList(tensors), 0); }
    /** Elementwise {@code condition ? input : other}, broadcasting all three. */
    public static Tensor where(Tensor condition, Tensor input, Tensor other) { return rt().where(condition, input, other); }
    /** {@code torch.where(cond, 1.0, y)}: a Java scalar counts as a Python float (the tensor's floating dtype wins). */
    public static Tensor where(Tensor condition, double input, Tensor other) { return other.whereFlipped(condition, input); }
    public static Tensor where(Tensor condition, Tensor input, double other) { return input.where(condition, other); }
    /** Two scalars: a float32 tensor of the condition's shape (PyTorch's default dtype). */
    public static Tensor where(Tensor condition, double input, double other) {
        return rt().full(condition.shape(), other, DType.FLOAT32, condition.device()).whereFlipped(condition, input);
    }
    public static Tensor matmul(Tensor a, Tensor b) { return a.matmul(b); }
    public static Tensor mm(Tensor a, Tensor b) { return a.mm(b); }
    public static Tensor bmm(Tensor a, Tensor b) { return a.bmm(b); }
    public static Tensor maximum(Tensor a, Tensor b) { return a.maximum(b); }
    public static Tensor minimum(Tensor a, Tensor b) { return a.minimum(b); }
    public static Tensor inverse(Tensor t) { return t.inverse(); }
    public static boolean allclose(Tensor a, Tensor b) { return a.allclose(b); }
    public static boolean allclose(Tensor a, Tensor b, double rtol, double atol) { return a.allclose(b, rtol, atol); }
    public static boolean equal(Tensor a, Tensor b) { return a.equal(b); }

    // ---- randomness ----
    /** Seeds the default generator ({@code torch.manual_seed}). */
    public static Generator manualSeed(long seed) { return rt().defaultGenerator().manualSeed(seed); }
    public static Generator defaultGenerator() { return rt().defaultGenerator(); }
    public static long initialSeed() { return rt().defaultGenerator().initialSeed(); }

    // ---- grad mode (thread-local, nests) ----
    public static GradMode noGrad() { return setGradEnabled(false); }
    public static GradMode enableGrad() { return setGradEnabled(true); }
    /** Sets this thread's grad mode; closing the result restores the previous mode. */
    public static GradMode setGradEnabled(boolean enabled) {
        TensorRuntime rt = rt();
        boolean previous = rt.setGradEnabled(enabled);
        return () -> rt.setGradEnabled(previous);
    }
    public static boolean isGradEnabled() { return rt().isGradEnabled(); }

    // ---- mixed precision (torch.autocast: thread-local, nests) ----
    /**
     * An autocast region for {@code device}'s type in its current autocast dtype (bfloat16 on the CPU and float16 on
     * CUDA unless changed): inside it, ops of the autocast policy table run in lower precision (matrix products,
     * convolutions, linear) or in float32 (losses, reductions that need range), as PyTorch 2.x's lists say; others
     * run in their inputs' dtype. Casts are recorded by autograd, so weight gradients stay float32.
     */
    public static AutocastMode autocast(Device device) { return rt().autocast(device, null, true); }

    /** An autocast region running listed ops in {@code dtype} (bfloat16 or float16). */
    public static AutocastMode autocast(Device device, DType dtype) { return rt().autocast(device, dtype, true); }

    /** An autocast region; {@code enabled=false} switches autocast off inside it (PyTorch's {@code enabled=False}). */
    public static AutocastMode autocast(Device device, DType dtype, boolean enabled) { return rt().autocast(device, dtype, enabled); }

    /** Whether autocast is on for {@code device}'s type on this thread. */
    public static boolean isAutocastEnabled(Device device) { return rt().isAutocastEnabled(device.type()); }

    /** The dtype autocast uses for {@code device}'s type on this thread. */
    public static DType getAutocastDtype(Device device) { return rt().autocastDtype(device.type()); }

    // ---- saving and loading ----
    /**
     * Writes a state dict; the file name chooses the format: {@code .pt}, {@code .pth} and {@code .bin} are PyTorch's
     * own checkpoint format ({@code torch.load(path, weights_only=True)} reads it), anything else is safetensors
     * ({@code safetensors.torch.load_file}). The write is atomic. Needs the kindling-io bundle.
     */
    public static void save(java.util.Map<String, Tensor> stateDict, java.nio.file.Path path) { rt().save(stateDict, path); }

    public static void save(java.util.Map<String, Tensor> stateDict, String path) { save(stateDict, java.nio.file.Path.of(path)); }

    /**
     * Reads a state dict written by PyTorch or Kindling, onto the CPU, in file order: a {@code .pt}/{@code .pth}/
     * {@code .bin} checkpoint (tensors and plain containers only; no code from the file runs) or a safetensors file.
     */
    public static java.util.Map<String, Tensor> load(java.nio.file.Path path) { return rt().load(path, Device.CPU); }

    public static java.util.Map<String, Tensor> load(java.nio.file.Path path, Device mapLocation) { return rt().load(path, mapLocation); }

    public static java.util.Map<String, Tensor> load(String path) { return load(java.nio.file.Path.of(path)); }

    /** {@code torch.load(path, map_location="cpu")}. */
    public static java.util.Map<String, Tensor> load(String path, String mapLocation) { return load(java.nio.file.Path.of(path), Device.of(mapLocation)); }

    // ---- version ----
    /**
     * Kindling's version ({@code torch.__version__}), e.g. {@code 0.1.0-SNAPSHOT}: the api bundle's build version,
     * or {@code unknown} when the jar was built without its version resource.
     */
    public static String version() {
        try (java.io.InputStream in = Torch.class.getResourceAsStream("kindling-version.properties")) {
            if (in == null) return "unknown";
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    // ---- devices ----
    public static boolean cudaIsAvailable() { return rt().isAvailable("cuda"); }
    /** Devices the installed, available backends offer. */
    public static List<Device> devices() { return rt().devices(); }
}
