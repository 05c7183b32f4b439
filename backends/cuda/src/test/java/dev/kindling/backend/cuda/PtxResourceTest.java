package dev.kindling.backend.cuda;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed PTX: present, for the architecture the backend assumes, and defining every kernel the Java code launches. */
class PtxResourceTest {
    @Test
    void ptxDefinesEveryKernelTheBackendLoads() {
        byte[] ptx = CudaDevice.ptx();
        assertEquals(0, ptx[ptx.length - 1], "the image handed to cuModuleLoadData is NUL-terminated");
        String text = new String(ptx, 0, ptx.length - 1, StandardCharsets.US_ASCII);
        assertTrue(text.contains(".target sm_80"), "compiled for compute_80 (JIT-compiled forward to sm_90)");
        assertTrue(text.contains("\n.version 7.0\n"), "PTX ISA 7.0, loadable by any driver from CUDA 11.0 on (build-ptx.sh)");
        PtxSignatures sig = PtxSignatures.parse(ptx);
        for (String k : CudaDevice.KERNELS) assertTrue(sig.has(k), "the PTX lacks kernel " + k);
        assertEquals(new java.util.TreeSet<>(CudaDevice.KERNELS), new java.util.TreeSet<>(sig.names()), "kernels the Java code never loads");
    }

    @Test
    void signaturesAreReadFromThePtx() {
        PtxSignatures sig = PtxSignatures.parse(CudaDevice.ptx());
        assertEquals(List.of(new PtxSignatures.Param("b8", Geo.WORDS * 8), new PtxSignatures.Param("u64", 8), new PtxSignatures.Param("u32", 4),
                new PtxSignatures.Param("u32", 4), new PtxSignatures.Param("u64", 8), new PtxSignatures.Param("u64", 8)), sig.params("k_copy"));
        assertEquals(new PtxSignatures.Param("f64", 8), sig.params("k_fill").get(3));
        assertEquals(new PtxSignatures.Param("b8", 40), sig.params("k_im2col").get(0), "Window2d as ten ints");
    }

    @Test
    void launchesWithWrongArgumentsAreRefused() {
        PtxSignatures sig = PtxSignatures.parse(CudaDevice.ptx());
        long[] geo = new long[Geo.WORDS];
        jcuda.Pointer p = new jcuda.Pointer();
        sig.check("k_copy", new Object[] {geo, 1L, 0, 0, p, p});
        IllegalStateException count = assertThrows(IllegalStateException.class, () -> sig.check("k_copy", new Object[] {geo, 1L, 0, 0, p}));
        assertEquals("kernel k_copy takes 6 parameters, launched with 5", count.getMessage());
        IllegalStateException kind = assertThrows(IllegalStateException.class, () -> sig.check("k_copy", new Object[] {geo, 1, 0, 0, p, p}));
        assertEquals("kernel k_copy: argument 1 is u32 (4 bytes), the PTX expects u64 (8 bytes)", kind.getMessage());
        assertThrows(IllegalStateException.class, () -> sig.check("k_fill", new Object[] {geo, 1L, 0, 1L, 1L, p}), "a long where a double goes");
        assertThrows(IllegalStateException.class, () -> sig.check("k_copy", new Object[] {new long[3], 1L, 0, 0, p, p}), "a short geometry");
        assertThrows(IllegalStateException.class, () -> sig.check("k_nothing", new Object[0]));
    }

    @Test
    void geometryMergesContiguousDimsAndKeepsBroadcasts() {
        long[] g = Geo.collapsed(new long[] {2, 3, 4}, new long[][] {{12, 4, 1}, {0, 0, 1}}, new long[] {5, 0});
        assertEquals(2, g[0], "[2, 3, 4] dense with a [4] broadcast merges to [6, 4]");
        assertEquals(6, g[1]);
        assertEquals(4, g[2]);
        long[] dense = Geo.collapsed(new long[] {2, 1, 3}, new long[][] {{3, 99, 1}}, new long[] {0});
        assertEquals(1, dense[0]);
        assertEquals(6, dense[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Geo.pack(new long[11], new long[][] {new long[11]}, new long[] {0}));
        assertTrue(e.getMessage().startsWith("the CUDA backend supports at most 10 dimensions"), e.getMessage());
    }
}
