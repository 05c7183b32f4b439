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
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

/**
 * Kindling on a real Felix (Pax Exam native container): the kernel, the CPU backend, the static API and the shell
 * commands, including stopping, restarting and reinstalling the backend without restarting the framework.
 * The bundles come from file: copies of the reactor's jars (target/bundles, made by maven-dependency-plugin).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KindlingOsgiIT {
    static final String BACKEND_JAR = "kindling-backend-cpu";
    static final String[] BUNDLES = {
        "org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component", "org.apache.felix.scr",
        "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.command",
        "jackson-core", "jackson-annotations", "jackson-databind",
        "kindling-api", "kindling-kernel", "kindling-backend-cpu", "kindling-autograd", "kindling-nn", "kindling-optim",
        "kindling-shell"};
    /** Not started with the framework: the test installs it at run time, as a user would a third-party bundle. */
    static final String EXTENSION_JAR = "kindling-example-extension";
    static final String AUTOGRAD_JAR = "kindling-autograd";

    @Inject
    BundleContext context;

    @Inject
    Kernel kernel;

    @Inject
    CommandProcessor commandProcessor;

    static File bundleDir() {
        return new File(System.getProperty("kindling.itest.bundles", "target/bundles")).getAbsoluteFile();
    }

    static String bundleUrl(String name) {
        File f = new File(bundleDir(), name + ".jar");
        if (!f.isFile()) {
            throw new IllegalStateException(f + " is missing: run the build through `mvn verify` (maven-dependency-plugin "
                    + "copies the bundles under test to " + bundleDir() + ")");
        }
        return f.toURI().toString();
    }

    /** A Felix with JUnit and {@code bundles} (file: copies from {@link #bundleDir()}), installed in order. */
    static Option[] container(List<String> bundles, Option... extra) {
        List<Option> opts = new ArrayList<>(List.of(extra));
        opts.add(junitBundles());
        opts.add(systemProperty("kindling.itest.bundles").value(bundleDir().getPath()));
        // pax-logging-api (a Pax Exam bundle) logs at DEBUG unless told otherwise
        opts.add(frameworkProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        for (String b : bundles) opts.add(bundle(bundleUrl(b)));
        return options(opts.toArray(new Option[0]));
    }

    @Configuration
    public Option[] config() { return container(List.of(BUNDLES)); }

    // ---- (a) the CPU backend registers ----

    @Test
    public void cpuBackendIsRegisteredAndSelected() {
        awaitBackend(true);
        BackendInfo cpu = cpuInfo();
        assertNotNull("cpu-java in " + kernel.backends().info(), cpu);
        assertEquals("cpu", cpu.deviceType());
        assertTrue(cpu.reason(), cpu.available());
        assertTrue(cpu.selected());
        assertTrue(kernel.backends().isAvailable("cpu"));
        assertFalse(cpu.devices().isEmpty());
        assertEquals(Bundle.ACTIVE, backendBundle().getState());
    }

    // ---- (b) tensor ops through the static API ----

    @Test
    public void tensorOpsWork() {
        awaitBackend(true);
        assertEquals(12.0, Torch.ones(2, 3).add(1).sum().item(), 0.0);
        Tensor a = Torch.tensor(new float[][] {{1, 2}, {3, 4}});
        Tensor b = Torch.tensor(new float[][] {{5, 6}, {7, 8}});
        Tensor c = a.matmul(b);
        assertArrayEquals(new long[] {2, 2}, c.shape());
        assertArrayEquals(new float[] {19, 22, 43, 50}, c.toFloatArray(), 1e-6f);
        assertEquals(134.0, c.sum().item(), 1e-6);
        assertEquals("cpu-java", c.backendName());
        assertArrayEquals(new double[] {4, 6}, a.sum(0).toDoubleArray(), 1e-6);
    }

    // ---- (c) stop / start / uninstall + install the backend without restarting the framework ----

    @Test
    public void backendCanBeStoppedRestartedUpdatedAndReinstalledUnderLiveTensors() throws Exception {
        awaitBackend(true);
        Tensor before = Torch.ones(2, 2);
        Bundle backend = backendBundle();

        // Stopped: an op on its tensors waits for a cpu backend instead of failing, and goes on when one is back.
        backend.stop();
        awaitBackend(false);
        CompletableFuture<Double> op = CompletableFuture.supplyAsync(() -> before.add(1).sum().item());
        await(() -> kernel.backends().waitingFor().contains("cpu"), "an op waiting for a cpu backend");
        assertFalse(op.isDone());
        backend.start();
        awaitBackend(true);
        assertEquals(8.0, op.get(30, TimeUnit.SECONDS), 0.0);
        assertEquals(8.0, Torch.ones(2, 2).add(1).sum().item(), 0.0);

        // Updated (a new revision of the bundle) and reinstalled: tensors made before stay valid.
        Tensor kept = Torch.full(new long[] {2, 2}, 3.0);
        Tensor view = kept.narrow(0, 1, 1);
        backend.update();
        awaitBackend(true);
        assertEquals(12.0, kept.sum().item(), 0.0);
        String location = backend.getLocation();
        backend.uninstall();
        awaitBackend(false);
        Bundle reinstalled = context.installBundle(bundleUrl(BACKEND_JAR));
        reinstalled.start();
        awaitBackend(true);
        assertEquals(Bundle.ACTIVE, backendBundle().getState());
        assertEquals(location, reinstalled.getLocation());
        view.add_(1.0);
        assertArrayEquals(new float[] {3, 3, 4, 4}, kept.toFloatArray(), 0f);
        Tensor m = Torch.eye(3).matmul(Torch.full(new long[] {3, 2}, 2.0));
        assertEquals(12.0, m.sum().item(), 0.0);
        assertTrue(kernel.backends().waitingFor().isEmpty());
    }

    // ---- autograd comes and goes with its bundle ----

    @Test
    public void autogradBundleCanBeStoppedAndStarted() throws Exception {
        awaitBackend(true);
        await(() -> kernel.gradientEngine() != null, "autograd engine registered");
        Tensor x = Torch.tensor(new float[] {1, 2, 3}).requiresGrad_(true);
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {2, 4, 6}, x.grad().toFloatArray(), 1e-6f);
        assertEquals("MulBackward0", x.mul(2.0).gradFn().name());

        Bundle autograd = bundleByLocation(AUTOGRAD_JAR);
        autograd.stop();
        await(() -> kernel.gradientEngine() == null, "autograd engine gone");
        assertEquals(6.0, Torch.ones(2, 3).sum().item(), 0.0); // tensors still compute
        assertTrue(String.valueOf(execute("kindling:info")).contains("not installed"));
        // Gradient work waits for an engine to come back (a restart, an update) instead of failing.
        Thread[] waiter = new Thread[1];
        CompletableFuture<float[]> grads = CompletableFuture.supplyAsync(() -> {
            waiter[0] = Thread.currentThread();
            x.mul(3.0).sum().backward();
            return x.grad().toFloatArray();
        });
        await(() -> waiter[0] != null && "autograd".equals(kernel.waitingFor(waiter[0])), "gradient work waiting for autograd");
        assertFalse(grads.isDone());

        autograd.start();
        await(() -> kernel.gradientEngine() != null, "autograd engine back");
        assertArrayEquals(new float[] {5, 7, 9}, grads.get(30, TimeUnit.SECONDS), 1e-6f);
        Tensor y = Torch.tensor(new float[] {3}).requiresGrad_(true);
        y.mul(y).sum().backward();
        assertArrayEquals(new float[] {6}, y.grad().toFloatArray(), 1e-6f);
    }

    // ---- a dispatch layer registered as a service joins the chain, and leaves it ----

    @Test
    public void dispatchLayerServiceJoinsAndLeavesTheChain() throws Exception {
        awaitBackend(true);
        await(() -> kernel.gradientEngine() != null, "autograd engine registered");
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.kindling.kernel.ops.DispatchLayer tracer = new dev.kindling.kernel.ops.DispatchLayer() {
            @Override public int rank() { return TRACER; }

            @Override
            public Tensor[] dispatch(dev.kindling.kernel.ops.OpDef op, Tensor[] inputs, dev.kindling.kernel.ops.Attrs attrs, Below below) {
                seen.add(op.name());
                return below.call(op, inputs, attrs);
            }
        };
        org.osgi.framework.ServiceRegistration<dev.kindling.kernel.ops.DispatchLayer> reg =
                context.registerService(dev.kindling.kernel.ops.DispatchLayer.class, tracer, null);
        await(() -> kernel.dispatchChain().layers().contains(tracer), "layer in the chain");
        Tensor x = Torch.tensor(new float[] {1, 2}).requiresGrad_(true);
        x.mul(x).sum().backward();
        assertTrue(seen.toString(), seen.containsAll(List.of("mul", "sum")));
        assertArrayEquals(new float[] {2, 4}, x.grad().toFloatArray(), 1e-6f);

        reg.unregister();
        await(() -> !kernel.dispatchChain().layers().contains(tracer), "layer gone");
        seen.clear();
        Torch.ones(2).add(1.0);
        assertEquals(List.of(), seen);
    }

    // ---- a third-party bundle's layer and optimizer come and go at run time ----

    @Test
    public void thirdPartyLayerAndOptimizerAppearAndDisappear() throws Exception {
        awaitBackend(true);
        await(() -> kernel.layers().find("linear").isPresent() && kernel.optimizers().find("sgd").isPresent(), "nn and optim providers");
        assertFalse(kernel.layers().find("swish").isPresent());

        Bundle ext = context.installBundle(bundleUrl(EXTENSION_JAR));
        ext.start();
        await(() -> kernel.layers().find("swish").isPresent() && kernel.optimizers().find("lion").isPresent(), "swish and lion registered");
        assertTrue(String.valueOf(execute("kindling:layers")).contains("swish"));
        assertTrue(String.valueOf(execute("kindling:optimizers")).contains("lion"));

        dev.kindling.nn.Module model = dev.kindling.nn.ModelSpec.fromJson("[{\"type\":\"linear\",\"in\":3,\"out\":4},"
                + "{\"type\":\"swish\",\"beta\":2.0},{\"type\":\"linear\",\"in\":4,\"out\":1}]").build();
        dev.kindling.optim.Optimizer opt = (dev.kindling.optim.Optimizer) kernel.optimizers().create("lion",
                java.util.Map.of("params", model.parameters(), "lr", 0.01));
        float[] before = model.parameters().get(0).toFloatArray();
        Tensor x = Torch.ones(5, 3);
        opt.zeroGrad();
        model.forward(x).square().mean().backward();
        opt.step();
        float[] after = model.parameters().get(0).toFloatArray();
        assertFalse("one Lion step changes the weights", java.util.Arrays.equals(before, after));

        ext.uninstall();
        await(() -> !kernel.layers().find("swish").isPresent() && !kernel.optimizers().find("lion").isPresent(), "swish and lion gone");
        assertFalse(String.valueOf(execute("kindling:layers")).contains("swish"));
        try {
            dev.kindling.nn.ModelSpec.fromJson("[{\"type\":\"swish\"}]").build();
            fail("swish must be unknown once its bundle is gone");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("swish"));
        }
    }

    // ---- (d) the shell commands through Gogo ----

    @Test
    public void shellCommandsRunThroughGogo() throws Exception {
        awaitBackend(true);
        String backends = String.valueOf(execute("kindling:backends"));
        assertTrue(backends, backends.contains("cpu-java"));
        assertTrue(backends, backends.matches("(?s).*\\*\\s+cpu-java\\s+cpu\\s.*available.*"));

        String info = String.valueOf(execute("kindling:info"));
        assertTrue(info, info.contains("Kindling:"));
        assertTrue(info, info.contains("OSGi framework: Apache Felix"));
        assertTrue(info, info.contains("Vector API:     present"));

        assertEquals("6.0", execute("kindling:calc 'ones(2,3).sum().item()'"));
        String prefer = String.valueOf(execute("kindling:prefer cpu cpu-java"));
        assertTrue(prefer, prefer.contains("cpu-java"));
        assertTrue(String.valueOf(execute("kindling:backends")).contains("*P"));
        execute("kindling:prefer cpu default");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object help = execute("help kindling:backends", out);
        String helpText = help + out.toString(StandardCharsets.UTF_8);
        assertTrue(helpText, helpText.contains("backends - list the tensor backends"));
    }

    @Test
    public void unknownCommandFails() {
        try {
            execute("kindling:nosuchcommand");
            fail("expected CommandNotFoundException");
        } catch (Exception e) {
            assertTrue(e.toString(), e.getMessage().contains("nosuchcommand"));
        }
    }

    // ---- helpers ----

    private Object execute(String command) throws Exception {
        return execute(command, new ByteArrayOutputStream());
    }

    private Object execute(String command, ByteArrayOutputStream out) throws Exception {
        CommandSession session = commandProcessor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            return session.execute(command);
        } finally {
            session.close();
        }
    }

    private Bundle backendBundle() { return bundleByLocation(BACKEND_JAR); }

    /** A bundle under test, found by the file it was installed from. */
    private Bundle bundleByLocation(String jar) {
        String location = bundleUrl(jar);
        for (Bundle b : context.getBundles()) {
            if (location.equals(b.getLocation())) return b;
        }
        throw new AssertionError(location + " is not installed");
    }

    private BackendInfo cpuInfo() {
        for (BackendInfo b : kernel.backends().info()) {
            if (b.name().equals("cpu-java")) return b;
        }
        return null;
    }

    /** DS (un)registers the backend service as the bundle starts and stops; wait until the kernel has seen it. */
    private void awaitBackend(boolean present) {
        await(() -> (cpuInfo() != null && cpuInfo().available()) == present,
                "cpu-java " + (present ? "registered" : "gone"));
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
