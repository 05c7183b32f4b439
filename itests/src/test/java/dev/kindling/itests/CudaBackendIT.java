package dev.kindling.itests;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.BackendInfo;
import dev.kindling.kernel.Kernel;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import javax.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/**
 * The CUDA backend installed into a running framework, as a user would: the JCuda wrapper bundle (natives through
 * Bundle-NativeCode) and the backend bundle, started at run time. Without a GPU the backend registers, reports itself
 * unavailable with the reason in kindling:backends, and the CPU backend keeps working; updating and uninstalling the
 * backend bundle (the wrapper stays) neither crashes the JVM nor reloads a native library. Where a GPU is present it
 * is used through the static API.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CudaBackendIT {
    static final String WRAPPER_JAR = "kindling-backend-cuda-jcuda";
    static final String CUDA_JAR = "kindling-backend-cuda";
    static final String[] BUNDLES = {
        "org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component", "org.apache.felix.scr",
        "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.command",
        "kindling-api", "kindling-kernel", "kindling-backend-cpu", "kindling-shell"};

    @Inject
    BundleContext context;

    @Inject
    Kernel kernel;

    @Inject
    CommandProcessor commandProcessor;

    @Configuration
    public Option[] config() { return KindlingOsgiIT.container(List.of(BUNDLES)); }

    @Test
    public void cudaBundlesInstallAtRunTimeAndReportAvailability() throws Exception {
        await(() -> info("cpu-java") != null, "the CPU backend");
        assertNull("not installed yet", info("cuda-jcuda"));

        Bundle wrapper = context.installBundle(KindlingOsgiIT.bundleUrl(WRAPPER_JAR));
        Bundle cuda = context.installBundle(KindlingOsgiIT.bundleUrl(CUDA_JAR));
        wrapper.start();
        cuda.start();
        assertEquals(Bundle.ACTIVE, wrapper.getState());
        assertEquals(Bundle.ACTIVE, cuda.getState());
        assertEquals("dev.kindling.backend.cuda.jcuda", wrapper.getSymbolicName());
        assertEquals("dev.kindling.backend.cuda", cuda.getSymbolicName());
        await(() -> info("cuda-jcuda") != null, "the CUDA backend service");

        BackendInfo info = info("cuda-jcuda");
        assertEquals("cuda", info.deviceType());
        String backends = String.valueOf(execute("kindling:backends"));
        assertTrue(backends, backends.contains("cuda-jcuda"));
        boolean gpu = info.available();
        if (!gpu) {
            assertFalse(info.reason(), info.reason().isBlank());
            assertTrue(info.reason(), info.reason().contains("CUDA"));
            assertTrue(backends, backends.contains("unavailable: " + info.reason()));
            assertTrue(info.devices().isEmpty());
            assertFalse(Torch.cudaIsAvailable());
            try {
                Torch.ones(2).cuda();
                throw new AssertionError("cuda() must fail without a device");
            } catch (IllegalStateException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("cuda-jcuda: " + info.reason()));
            }
        } else {
            assertTrue(Torch.cudaIsAvailable());
            Tensor g = Torch.tensor(new float[] {1, 2, 3, 4}, 2, 2).cuda();
            assertEquals("cuda-jcuda", g.backendName());
            assertArrayEquals(new float[] {7, 10, 15, 22}, g.matmul(g).cpu().toFloatArray(), 1e-6f);
            assertTrue(String.valueOf(execute("kindling:backends")), String.valueOf(execute("kindling:backends")).contains("allocated"));
        }
        // The rest of the platform is unaffected.
        assertArrayEquals(new float[] {7, 10, 15, 22}, Torch.tensor(new float[] {1, 2, 3, 4}, 2, 2).matmul(Torch.tensor(new float[] {1, 2, 3, 4}, 2, 2)).toFloatArray(), 1e-6f);

        // Updating the backend bundle re-registers it; the JCuda classes and natives stay with the wrapper.
        String reason = info.reason();
        cuda.update();
        await(() -> cuda.getState() == Bundle.ACTIVE && info("cuda-jcuda") != null, "the CUDA backend after update");
        assertEquals(gpu, info("cuda-jcuda").available());
        if (!gpu) assertEquals(reason, info("cuda-jcuda").reason());
        if (gpu) assertEquals(32.0, Torch.ones(4, 4).cuda().add(1).sum().item(), 0.0);

        cuda.uninstall();
        await(() -> info("cuda-jcuda") == null, "the CUDA backend gone");
        assertNotNull(info("cpu-java"));
        assertEquals(6.0, Torch.ones(2, 3).sum().item(), 0.0);
        wrapper.uninstall();
    }

    private BackendInfo info(String name) {
        for (BackendInfo b : kernel.backends().info()) if (b.name().equals(name)) return b;
        return null;
    }

    private Object execute(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandSession session = commandProcessor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            return session.execute(command);
        } finally {
            session.close();
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
