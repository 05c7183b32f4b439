package dev.kindling.amp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.spi.TensorRuntime;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.backend.cpu.CpuBackend;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.spi.GradScalingKernels;
import dev.kindling.kernel.spi.TensorBackend;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GradScaler's fused pass against PyTorch 2.x's CPU kernel (fixture from src/test/python/generate_unscale_fixture.py):
 * every output bit and found_inf, for float32 (contiguous and transposed), float64 and bfloat16 gradients with tiny,
 * huge, inf and NaN values, both through the CPU backend's fused kernel and through the elementwise fallback a backend
 * without {@link GradScalingKernels} gets.
 */
class UnscaleFixtureTest {
    private static JsonNode fixture() throws IOException {
        try (InputStream in = UnscaleFixtureTest.class.getResourceAsStream("/unscale_cpu.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** The CPU backend without its fused kernel: every call delegated, GradScalingKernels not implemented. */
    private static TensorBackend withoutFusedKernel() {
        CpuBackend cpu = new CpuBackend();
        return (TensorBackend) Proxy.newProxyInstance(TensorBackend.class.getClassLoader(), new Class<?>[] {TensorBackend.class}, (p, m, a) -> {
            if (m.getName().equals("name")) return "cpu-plain";
            try {
                return m.invoke(cpu, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void fusedKernelMatchesPyTorchBitForBit() throws IOException {
        check(TensorRuntimes.get(), true);
    }

    @Test
    void elementwiseFallbackMatchesPyTorchBitForBit() throws IOException {
        Kernel k = new Kernel();
        TensorBackend plain = withoutFusedKernel();
        assertFalse(plain instanceof GradScalingKernels);
        k.addBackend(plain);
        check(k, false);
    }

    private static void check(TensorRuntime rt, boolean fused) throws IOException {
        JsonNode fx = fixture();
        for (JsonNode c : fx.get("cases")) {
            List<Tensor> grads = new ArrayList<>();
            for (JsonNode in : c.get("inputs")) grads.add(gradient(rt, in));
            Tensor[] args = grads.toArray(new Tensor[grads.size() + 2]);
            Tensor found = rt.full(new long[] {1}, 0, DType.FLOAT32, Device.CPU);
            args[grads.size()] = found;
            args[grads.size() + 1] = rt.fromArray(new float[] {Float.intBitsToFloat(c.get("inv_scale_bits").asInt())}, new long[] {1}, DType.FLOAT32, Device.CPU);
            Tensor result = grads.get(0).callOp(GradScaler.UNSCALE_OP, args)[0];
            String where = c.get("name").asText() + (fused ? " (fused)" : " (fallback)");
            assertEquals(c.get("found_inf").asDouble(), found.item(), where + ": found_inf");
            assertEquals(found.item(), result.item(), where + ": the op returns found_inf");
            for (int i = 0; i < grads.size(); i++) {
                assertArrayEquals(expectedBits(c.get("outputs").get(i)), bits(grads.get(i)), where + ": gradient " + i + " " + grads.get(i).dtype());
            }
        }
    }

    /** A gradient of the fixture's dtype, shape and strides (a transposed one stays transposed). */
    private static Tensor gradient(TensorRuntime rt, JsonNode in) {
        DType dtype = DType.of(in.get("dtype").asText());
        long[] shape = longs(in.get("shape"));
        long[] stride = longs(in.get("stride"));
        JsonNode b = in.get("bits");
        int n = b.size();
        boolean transposed = shape.length == 2 && stride[0] == 1 && shape[0] > 1;
        long[] stored = transposed ? new long[] {shape[1], shape[0]} : shape;
        Tensor t;
        if (dtype == DType.FLOAT64) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = Double.longBitsToDouble(b.get(i).asLong());
            t = rt.fromArray(v, shape, DType.FLOAT64, Device.CPU);
        } else {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = Float.intBitsToFloat(dtype == DType.BFLOAT16 ? b.get(i).asInt() << 16 : (int) b.get(i).asLong());
            t = rt.fromArray(v, shape, DType.FLOAT32, Device.CPU);
            if (dtype == DType.BFLOAT16) t = t.to(DType.BFLOAT16);
        }
        if (transposed) {
            t = t.t().contiguous().t();
            assertFalse(t.isContiguous());
            assertArrayEquals(stored, t.t().shape());
        }
        return t;
    }

    private static long[] bits(Tensor g) {
        Tensor c = g.contiguous();
        if (c.dtype() == DType.FLOAT64) {
            double[] v = c.toDoubleArray();
            long[] out = new long[v.length];
            for (int i = 0; i < v.length; i++) out[i] = Double.doubleToRawLongBits(v[i]);
            return out;
        }
        float[] v = c.to(DType.FLOAT32).toFloatArray();
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            int bits = Float.floatToRawIntBits(v[i]);
            out[i] = c.dtype() == DType.BFLOAT16 ? (bits >>> 16) & 0xFFFF : bits & 0xFFFFFFFFL;
        }
        return out;
    }

    private static long[] expectedBits(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asLong();
        return out;
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asLong();
        return out;
    }

    @Test
    void badArgumentsAreRefusedNamingTheProblem() {
        TensorRuntime rt = TensorRuntimes.get();
        Tensor g = rt.full(new long[] {3}, 1, DType.FLOAT32, Device.CPU);
        Tensor found = rt.full(new long[] {1}, 0, DType.FLOAT32, Device.CPU);
        Tensor inv = rt.full(new long[] {2}, 0.5, DType.FLOAT32, Device.CPU);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.callOp(GradScaler.UNSCALE_OP, new Tensor[] {g, found, inv}));
        assertTrue(e.getMessage().contains("one-element float32") && e.getMessage().contains("[2]"), e.getMessage());
        Tensor ints = rt.full(new long[] {3}, 1, DType.INT64, Device.CPU);
        Tensor one = rt.full(new long[] {1}, 0.5, DType.FLOAT32, Device.CPU);
        e = assertThrows(IllegalArgumentException.class, () -> g.callOp(GradScaler.UNSCALE_OP, new Tensor[] {ints, found, one}));
        assertTrue(e.getMessage().contains("gradient 0 is int64"), e.getMessage());
    }
}
