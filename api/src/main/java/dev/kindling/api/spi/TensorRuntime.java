package dev.kindling.api.spi;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.autograd.Function;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** What the static API ({@code Torch}, {@code Autograd}, {@code Function}) needs from the kernel. */
// Implemented by the kernel, the provider of this seam; the static API calls it.
@ProviderType
public interface TensorRuntime {
    /**
     * A tensor from a flat row-major Java array: {@code float[]}, {@code double[]}, {@code long[]}, {@code int[]},
     * {@code short[]}, {@code byte[]} or {@code boolean[]}, converted to {@code dtype}.
     */
    Tensor fromArray(Object data, long[] shape, DType dtype, Device device);

    Tensor empty(long[] shape, DType dtype, Device device);

    Tensor full(long[] shape, double value, DType dtype, Device device);

    Tensor rand(long[] shape, DType dtype, Device device, Generator generator);

    Tensor randn(long[] shape, DType dtype, Device device, Generator generator);

    Tensor randint(long low, long high, long[] shape, DType dtype, Device device, Generator generator);

    Tensor randperm(long n, DType dtype, Device device, Generator generator);

    /** 1 with probability p, per element of {@code p} (torch.bernoulli); a null generator means the default one. */
    Tensor bernoulli(Tensor p, Generator generator);

    /** Category indices drawn from the rows of {@code probs} (torch.multinomial). */
    Tensor multinomial(Tensor probs, long numSamples, boolean replacement, Generator generator);

    Tensor arange(double start, double end, double step, DType dtype, Device device);

    Tensor linspace(double start, double end, long steps, DType dtype, Device device);

    Tensor eye(long n, long m, DType dtype, Device device);

    Tensor cat(List<Tensor> tensors, int dim);

    Tensor stack(List<Tensor> tensors, int dim);

    Tensor where(Tensor condition, Tensor input, Tensor other);

    /** The generator {@code Torch.manualSeed} seeds. */
    Generator defaultGenerator();

    /** Devices that installed, available backends serve. */
    List<Device> devices();

    boolean isAvailable(String deviceType);

    boolean isGradEnabled();

    /** Sets this thread's grad mode and returns the previous one. */
    boolean setGradEnabled(boolean enabled);

    /**
     * Enters an autocast region for {@code device}'s type on this thread ({@code dtype} null: the current autocast
     * dtype); closing the result restores the previous state.
     */
    dev.kindling.api.AutocastMode autocast(Device device, DType dtype, boolean enabled);

    /** Whether autocast is on for {@code deviceType} on this thread. */
    boolean isAutocastEnabled(String deviceType);

    /** This thread's autocast dtype for {@code deviceType}. */
    DType autocastDtype(String deviceType);

    /** The autograd service, or an {@link IllegalStateException} that says the autograd bundle is missing. */
    AutogradService autograd();

    Tensor applyFunction(Function function, Tensor[] inputs);

    /** Writes named tensors with the installed file format (safetensors). */
    void save(java.util.Map<String, Tensor> tensors, java.nio.file.Path path);

    /** Reads named tensors, in file order, onto {@code device}. */
    java.util.Map<String, Tensor> load(java.nio.file.Path path, Device device);
}
