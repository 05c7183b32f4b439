package dev.kindling.benchmarks;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.tensor.Half;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * float32 to and from bfloat16/float16: {@code copy_} between preallocated CPU tensors (the backend's vectorised
 * conversion, split across the compute pool for large tensors) against the scalar per-element reference in
 * {@link Half}. GB/s = 6 bytes per element (4 read or written as float32, 2 as half) / time; 256K elements stay in
 * L2, 4M go to memory. {@code -jvmArgsAppend -Dkindling.cpu.threads=1} measures one thread,
 * {@code -Dkindling.cpu.noVector=true} the plain-Java fallback.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HalfConversionBenchmark extends KindlingBenchmark {
    @Param({"bfloat16", "float16"})
    public String dtype;

    @Param({"262144", "4194304"})
    public int size;

    private Tensor f32;
    private Tensor f32Out;
    private Tensor half;
    private float[] floats;
    private short[] shorts;
    private boolean bf16;

    @Setup
    public void setup() {
        Torch.manualSeed(0);
        DType t = dtype.equals("bfloat16") ? DType.BFLOAT16 : DType.FLOAT16;
        bf16 = t == DType.BFLOAT16;
        f32 = Torch.randn(size);
        f32Out = Torch.empty(size);
        half = f32.to(t);
        // the scalar loops convert the same normal-distributed values as the tensors hold (branches in the scalar code
        // depend on them)
        floats = f32.toFloatArray();
        shorts = new short[size];
        for (int i = 0; i < size; i++) shorts[i] = Half.fromFloat(bf16, floats[i]);
    }

    @Benchmark
    public Tensor toHalf() { return half.copy_(f32); }

    @Benchmark
    public Tensor toFloat() { return f32Out.copy_(half); }

    @Benchmark
    public short[] scalarToHalf() {
        for (int i = 0; i < size; i++) shorts[i] = Half.fromFloat(bf16, floats[i]);
        return shorts;
    }

    @Benchmark
    public float[] scalarToFloat() {
        for (int i = 0; i < size; i++) floats[i] = Half.toFloat(bf16, shorts[i]);
        return floats;
    }
}
