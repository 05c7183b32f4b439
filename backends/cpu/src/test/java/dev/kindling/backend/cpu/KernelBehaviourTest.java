package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.kernel.BackendInfo;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.ops.Ops;
import dev.kindling.kernel.spi.TensorBackend;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the kernel with the CPU backend that the PyTorch fixtures cannot show: registries, views, errors. */
class KernelBehaviourTest {

    /** A backend that behaves as the CPU backend under another name and rank (a second backend for device "cpu"). */
    private static TensorBackend renamed(TensorBackend inner, String name, int rank) {
        return (TensorBackend) Proxy.newProxyInstance(TensorBackend.class.getClassLoader(), new Class<?>[] {TensorBackend.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "name": return name;
                        case "rank": return rank;
                        case "hashCode": return System.identityHashCode(proxy);
                        case "equals": return proxy == args[0];
                        default:
                            try {
                                return method.invoke(inner, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
    }

    @Test
    void classpathDiscoveryFindsKernelAndCpuBackend() {
        Kernel k = (Kernel) TensorRuntimes.get();
        assertTrue(k.backends().info().stream().anyMatch(i -> i.name().equals("cpu-java") && i.available() && i.selected()));
        assertEquals(List.of(Device.CPU), Torch.devices());
        assertFalse(Torch.cudaIsAvailable());
    }

    @Test
    void removedBackendFailsClearlyAndNewOneIsPickedUpWithoutRestart() {
        Kernel k = new Kernel();
        k.backends().setBackendWait(java.time.Duration.ofMillis(50));
        CpuBackend first = new CpuBackend();
        k.addBackend(first);
        Tensor t = k.full(new long[] {2, 2}, 3, DType.FLOAT32, Device.CPU);
        assertEquals(12.0, t.sum().item());

        k.removeBackend(first);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.add(1));
        assertTrue(e.getMessage().contains("cpu-java") && e.getMessage().contains("no longer available")
                && e.getMessage().contains("came back within 50 ms"), e.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> k.full(new long[] {1}, 0, DType.FLOAT32, Device.CPU));
        assertTrue(none.getMessage().contains("came back within 50 ms"), none.getMessage());

        k.addBackend(new CpuBackend());
        Tensor u = k.full(new long[] {2}, 2, DType.FLOAT32, Device.CPU);
        assertEquals(4.0, u.sum().item());
        assertEquals(12.0, t.sum().item(), "the tensor of the removed backend moved to the new one");
    }

    /** A backend update (remove, then a new instance) under live tensors: values kept, views still aliases, ops waited. */
    @Test
    void tensorsOutliveTheirBackendAndOpsWaitForTheNextOne() throws Exception {
        Kernel k = new Kernel();
        k.backends().setBackendWait(java.time.Duration.ofSeconds(20));
        CpuBackend first = new CpuBackend();
        k.addBackend(first);
        Tensor base = k.full(new long[] {2, 3}, 1, DType.FLOAT32, Device.CPU);
        Tensor row = base.narrow(0, 1, 1);
        k.removeBackend(first);
        java.util.concurrent.CompletableFuture<Double> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> base.mul(2).sum().item());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!k.backends().waitingFor().contains("cpu") && System.nanoTime() < deadline) Thread.sleep(5);
        assertEquals(java.util.Set.of("cpu"), k.backends().waitingFor(), "the op waits for a cpu backend");
        assertFalse(waiting.isDone());
        CpuBackend second = new CpuBackend();
        k.addBackend(second);
        assertEquals(12.0, waiting.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("cpu-java", base.backendName());
        row.add_(5); // in place through the view: the base sees it, so the view moved with the same storage
        assertArrayEquals(new float[] {1, 1, 1, 6, 6, 6}, base.toFloatArray());
        assertEquals(java.util.Set.of(), k.backends().waitingFor());
    }

    /** A view moves the tensor it views along: only the view is used, yet the gone backend is not kept alive. */
    @Test
    void aViewMovesItsBaseAlongSoTheGoneBackendCanBeCollected() throws Exception {
        Kernel k = new Kernel();
        CpuBackend first = new CpuBackend();
        k.addBackend(first);
        Tensor view = k.full(new long[] {6}, 2, DType.FLOAT32, Device.CPU).reshape(2, 3); // the base is reachable only through the view
        java.lang.ref.WeakReference<CpuBackend> gone = new java.lang.ref.WeakReference<>(first);
        k.removeBackend(first);
        first = null;
        k.addBackend(new CpuBackend());
        assertEquals(12.0, view.sum().item());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (gone.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(gone.get(), "the removed backend is still reachable (through the view's base)");
    }

    /**
     * A backend whose bundle is updated while an op runs in its code: the old revision cannot load a class any more.
     * The op runs again on the successor; an in-place op, which may have written part of its output, fails instead.
     */
    @Test
    void anOpCaughtInABackendUpdateRunsAgainOnTheSuccessor() {
        Kernel k = new Kernel();
        CpuBackend cpu = new CpuBackend();
        TensorBackend[] updating = new TensorBackend[1];
        updating[0] = (TensorBackend) Proxy.newProxyInstance(TensorBackend.class.getClassLoader(), new Class<?>[] {TensorBackend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("binary") && updating[0] != null) {
                        TensorBackend self = updating[0];
                        updating[0] = null;
                        k.removeBackend(self); // the update lands while this op runs
                        k.addBackend(new CpuBackend());
                        throw new NoClassDefFoundError("dev/kindling/backend/cpu/SomethingNotYetLoaded");
                    }
                    switch (method.getName()) {
                        case "hashCode": return System.identityHashCode(proxy);
                        case "equals": return proxy == args[0];
                        default:
                            try {
                                return method.invoke(cpu, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
        TensorBackend first = updating[0];
        k.addBackend(first);
        Tensor a = k.full(new long[] {3}, 2, DType.FLOAT32, Device.CPU);
        assertArrayEquals(new float[] {5, 5, 5}, a.add(3).toFloatArray(), "run again on the successor");
        assertEquals("cpu-java", a.backendName());

        TensorBackend second = k.backends().select(Device.CPU).unchecked();
        k.removeBackend(second);
        updating[0] = first; // a removal during an in-place op
        k.addBackend(first);
        Tensor b = k.full(new long[] {3}, 2, DType.FLOAT32, Device.CPU);
        assertThrows(NoClassDefFoundError.class, () -> b.add_(3));
    }

    @Test
    void rankingPrefersHigherRankUnlessTheUserChooses() {
        Kernel k = new Kernel();
        CpuBackend cpu = new CpuBackend();
        TensorBackend fast = renamed(cpu, "cpu-fast", 200);
        k.addBackend(cpu);
        k.addBackend(fast);
        assertEquals("cpu-fast", k.full(new long[] {1}, 1, DType.FLOAT32, Device.CPU).backendName());

        k.backends().prefer("cpu", "cpu-java");
        assertEquals("cpu-java", k.full(new long[] {1}, 1, DType.FLOAT32, Device.CPU).backendName());
        List<BackendInfo> info = k.backends().info();
        assertTrue(info.stream().anyMatch(i -> i.name().equals("cpu-java") && i.selected() && i.preferred()));
        assertTrue(info.stream().anyMatch(i -> i.name().equals("cpu-fast") && !i.selected()));

        k.backends().prefer("cpu", null);
        assertEquals("cpu-fast", k.full(new long[] {1}, 1, DType.FLOAT32, Device.CPU).backendName());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> k.backends().prefer("cpu", "nope"));
        assertTrue(bad.getMessage().contains("no backend named 'nope'"), bad.getMessage());

        // Tensors of two backends of the same device still combine.
        k.backends().prefer("cpu", "cpu-java");
        Tensor a = k.full(new long[] {2}, 1, DType.FLOAT32, Device.CPU);
        k.backends().prefer("cpu", "cpu-fast");
        Tensor b = k.full(new long[] {2}, 2, DType.FLOAT32, Device.CPU);
        assertArrayEquals(new float[] {3, 3}, a.add(b).toFloatArray());
    }

    @Test
    void missingDeviceIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Torch.ones(2).cuda());
        assertTrue(e.getMessage().contains("No backend available for device 'cuda:0'"), e.getMessage());
    }

    @Test
    void viewsShareStorageAndCopiesDoNot() {
        Tensor t = Torch.zeros(2, 3);
        Tensor col = t.index(":, 1");
        col.fill_(5);
        assertArrayEquals(new float[] {0, 5, 0, 0, 5, 0}, t.toFloatArray());
        Tensor tt = t.t();
        assertFalse(tt.isContiguous());
        Tensor c = tt.contiguous();
        assertTrue(c.isContiguous());
        c.fill_(1);
        assertEquals(10.0, t.sum().item());
        t.view(3, 2).get(0).fill_(7);
        assertArrayEquals(new float[] {7, 7, 0, 0, 5, 0}, t.toFloatArray());
        t.indexPut("1, :", 9);
        assertArrayEquals(new float[] {7, 7, 0, 9, 9, 9}, t.toFloatArray());
        Tensor e = Torch.ones(3).expand(2, 3);
        assertArrayEquals(new long[] {0, 1}, e.stride());
    }

    @Test
    void viewOfNonContiguousTensorNeedsReshape() {
        Tensor t = Torch.arange(6L).view(2, 3).t();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.view(6));
        assertTrue(e.getMessage().contains("Use .reshape(...) instead"), e.getMessage());
        assertArrayEquals(new long[] {0, 3, 1, 4, 2, 5}, t.reshape(6).toLongArray());
    }

    @Test
    void floatSumOfTenMillionElementsIsAccurate() {
        int n = 10_000_000;
        Tensor t = Torch.full(new long[] {n}, 0.1);
        double exact = n * (double) 0.1f;
        assertEquals(exact, t.sum().item(), exact * 1e-6);
        assertEquals(0.1f, (float) t.mean().item(), 1e-7);
    }

    @Test
    void shapeAndIndexErrorsNameTheProblem() {
        IllegalArgumentException mm = assertThrows(IllegalArgumentException.class, () -> Torch.ones(2, 3).mm(Torch.ones(4, 5)));
        assertEquals("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", mm.getMessage());
        IllegalArgumentException bc = assertThrows(IllegalArgumentException.class, () -> Torch.ones(2, 3).add(Torch.ones(4)));
        assertTrue(bc.getMessage().contains("[2, 3] and [4]"), bc.getMessage());
        IndexOutOfBoundsException dim = assertThrows(IndexOutOfBoundsException.class, () -> Torch.ones(2, 3).sum(2));
        assertTrue(dim.getMessage().contains("Dimension out of range (expected to be in range of [-2, 1], but got 2)"), dim.getMessage());
        IllegalArgumentException idx = assertThrows(IllegalArgumentException.class, () -> Torch.ones(3).index("1:2:3:4"));
        assertTrue(idx.getMessage().contains("invalid index \"1:2:3:4\""), idx.getMessage());
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class, () -> Torch.ones(3).index("a"));
        assertTrue(word.getMessage().contains("'a' is not an integer"), word.getMessage());
        IndexOutOfBoundsException many = assertThrows(IndexOutOfBoundsException.class, () -> Torch.ones(3).index("0, 0"));
        assertTrue(many.getMessage().contains("too many indices"), many.getMessage());
        IllegalArgumentException mean = assertThrows(IllegalArgumentException.class, () -> Torch.arange(3L).mean());
        assertTrue(mean.getMessage().contains("Got: Long"), mean.getMessage());
        IllegalArgumentException inplace = assertThrows(IllegalArgumentException.class, () -> Torch.arange(3L).exp_());
        assertTrue(inplace.getMessage().contains("result type Float can't be cast to the desired output type Long"), inplace.getMessage());
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class, () -> Torch.tensor(new float[][] {{1, 2}, {3}}));
        assertTrue(ragged.getMessage().contains("expected sequence of length 2 at dim 1 (got 1)"), ragged.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> Torch.tensor(new float[5], 2, 3));
        assertTrue(shape.getMessage().contains("invalid for input of size 5"), shape.getMessage());
        IllegalArgumentException item = assertThrows(IllegalArgumentException.class, () -> Torch.ones(2).item());
        assertTrue(item.getMessage().contains("a Tensor with 2 elements cannot be converted to Scalar"), item.getMessage());
    }

    @Test
    void withoutAutogradTensorsComputeAndGradientsFailClearly() {
        Tensor t = Torch.ones(2);
        assertFalse(t.requiresGrad());
        assertNull(t.grad());
        assertNull(t.gradFn());
        assertTrue(t.isLeaf());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.requiresGrad_(true));
        assertTrue(e.getMessage().contains("kindling-autograd"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> t.sum().backward());
        try (var g = Torch.noGrad()) {
            assertFalse(Torch.isGradEnabled());
            try (var h = Torch.enableGrad()) {
                assertTrue(Torch.isGradEnabled());
            }
            assertFalse(Torch.isGradEnabled());
        }
        assertTrue(Torch.isGradEnabled());
    }

    @Test
    void generatorsAreIndependentAndRestorable() {
        Generator g = new Generator(7);
        Tensor a = Torch.rand(g, 5);
        byte[] state = g.getState();
        Tensor b = Torch.rand(g, 5);
        g.setState(state);
        assertArrayEquals(b.toFloatArray(), Torch.rand(g, 5).toFloatArray());
        assertArrayEquals(a.toFloatArray(), Torch.rand(new Generator(7), 5).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> g.setState(new byte[3]));
        Torch.manualSeed(3);
        float[] x = Torch.randn(20).toFloatArray();
        Torch.manualSeed(3);
        assertArrayEquals(x, Torch.randn(20).toFloatArray());
    }

    @Test
    void copyBetweenOverlappingViewsUsesTheOldValues() {
        Tensor t = Torch.arange(4L).view(2, 2);
        t.copy_(t.t());
        assertArrayEquals(new long[] {0, 2, 1, 3}, t.toLongArray());
        Tensor x = Torch.arange(3L);
        Tensor y = x.clone();
        assertNotSame(x, y);
        y.add_(10);
        assertArrayEquals(new long[] {0, 1, 2}, x.toLongArray());
    }

    @Test
    void everyOpIsDeclaredOnceWithAUniqueName() {
        assertTrue(Ops.table().size() > 100, "op table has " + Ops.table().size() + " entries");
        assertEquals("add", Ops.byName("add").name());
        assertTrue(Ops.byName("add_").isInPlace());
        assertTrue(Ops.byName("transpose").isView());
    }

    @Test
    void readmeTourPrintsWhatTheReadmeSays() {
        Tensor x = Torch.tensor(new float[][] {{1, 2}, {3, 4}});
        Tensor y = x.matmul(x.t()).add(1).relu();
        assertEquals("tensor([[ 6., 12.],\n        [12., 26.]])", y.toString());
        assertArrayEquals(new float[] {12, 26}, y.index("1, :").toFloatArray());
        assertArrayEquals(new float[] {12, 26}, y.max(1).values().toFloatArray());
        assertEquals("tensor([ 3, 12])", Torch.arange(6L).view(2, 3).sum(1).toString());
        assertEquals(DType.INT64, Torch.arange(3L).add(2).dtype());
        assertEquals(DType.FLOAT32, Torch.arange(3L).add(2.0).dtype());
    }
}
