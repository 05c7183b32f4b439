package dev.kindling.itests;

import dev.kindling.api.Tensor;
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
import org.osgi.framework.wiring.BundleWiring;

import javax.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Hot swap under a running training job, on a real Felix: the CPU backend updated 20 times at random steps, stopped
 * for 3 s, the autograd bundle stopped and started (and updated), the train bundle updated mid-epoch. Each job trains the digits MLP
 * for 10 epochs and must end with weights bitwise equal to an uninterrupted run with the same seed; afterwards the
 * threads and the heap are back to what they were before the swaps.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapOsgiIT {
    /** Kindling's bundles plus what training jobs need: data, checkpoints (io), the train bundle and the digits dataset. */
    static final List<String> BUNDLES = Stream.concat(Arrays.stream(KindlingOsgiIT.BUNDLES), Stream.of(
            "protobuf-java", "kindling-io", "kindling-data", "kindling-onnx", "kindling-amp", "kindling-train", "kindling-datasets-embedded"))
            .collect(Collectors.toList());
    static final String TRAIN_JAR = "kindling-train";
    /** 1438 training digits in batches of 32: 45 steps an epoch, 450 in all; dropout, momentum and a step schedule. */
    static final String JOB = "kindling:train digits mlp dropout=0.2 --optimizer sgd lr=0.05 momentum=0.9 --scheduler steplr stepSize=1 gamma=0.7 "
            + "--batch-size 32 --seed 3 --epochs 10";
    static final int STEPS_PER_EPOCH = 45;
    static final int STEPS = 10 * STEPS_PER_EPOCH;

    @Inject
    BundleContext context;

    @Inject
    Kernel kernel;

    @Inject
    CommandProcessor commandProcessor;

    @Configuration
    public Option[] config() { return KindlingOsgiIT.container(BUNDLES); }

    /** One framework, one test: the scenarios run in order, so the thread and heap baselines cover them all. */
    @Test
    public void jobsSurviveBackendAutogradAndTrainBundleSwapsBitwiseEqual() throws Exception {
        await(() -> kernel.isAvailable("cpu") && kernel.gradientEngine() != null && kernel.datasets().find("digits").isPresent(), "cpu, autograd, digits");
        Path root = Files.createTempDirectory("kindling-hotswap-it");
        long t0 = System.nanoTime();
        Map<String, Tensor> reference = weights(train(root, "reference", true));
        report("uninterrupted run", t0);
        Set<String> threadsBefore = threadNames();
        long heapBefore = usedHeapAfterGc();

        // 1. The CPU backend updated 20 times, each at a random step of one job.
        long seed = System.nanoTime();
        Random random = new Random(seed);
        TreeSet<Integer> at = new TreeSet<>();
        // Up to step 300 of 450: the test thread sees the job's progress late when the machine is busy.
        while (at.size() < 20) at.add(5 + random.nextInt(STEPS - 150));
        Path updated = train(root, "backend-updates", false);
        Bundle backend = bundle(KindlingOsgiIT.BACKEND_JAR);
        t0 = System.nanoTime();
        int updates = 0;
        List<WeakReference<ClassLoader>> oldRevisions = new ArrayList<>();
        for (int step : at) {
            await(() -> jobStep(updated) >= step, "step " + step + " (seed " + seed + ")");
            assertTrue("the job still runs at update " + (updates + 1) + " (seed " + seed + ")", !jobState(updated).equals("completed"));
            oldRevisions.add(new WeakReference<>(backend.adapt(BundleWiring.class).getClassLoader()));
            backend.update();
            updates++;
        }
        awaitCompleted(updated);
        assertEquals(20, updates);
        assertSameWeights("20 backend updates at steps " + at + " (seed " + seed + ")", reference, weights(updated));
        report("20 backend updates", t0);

        // 2. The CPU backend stopped for 3 s: the job shows that it waits, then goes on.
        Path stopped = train(root, "backend-stopped", false);
        await(() -> jobStep(stopped) >= 3 * STEPS_PER_EPOCH + 7, "epoch 4");
        t0 = System.nanoTime();
        backend.stop();
        await(() -> jobState(stopped).equals("waiting for backend cpu"), "'waiting for backend cpu' in kindling:jobs");
        Thread.sleep(3000);
        assertEquals("waiting for backend cpu", jobState(stopped));
        backend.start();
        awaitCompleted(stopped);
        assertSameWeights("backend stopped for 3 s", reference, weights(stopped));
        report("backend stopped 3 s", t0);

        // 3. The autograd bundle stopped and started, three times, between steps of one job; then stopped, updated and
        //    started (a new revision, whose engine takes over the parameters; a batch caught in it is computed again).
        Path restarted = train(root, "autograd-restarts", false);
        Bundle autograd = bundle(KindlingOsgiIT.AUTOGRAD_JAR);
        t0 = System.nanoTime();
        for (int i = 1; i <= 3; i++) {
            int step = i * 70;
            await(() -> jobStep(restarted) >= step, "step " + step);
            autograd.stop();
            await(() -> jobState(restarted).equals("waiting for autograd"), "'waiting for autograd' in kindling:jobs");
            autograd.start();
        }
        await(() -> jobStep(restarted) >= 280, "step 280");
        WeakReference<ClassLoader> oldAutograd = new WeakReference<>(autograd.adapt(BundleWiring.class).getClassLoader());
        autograd.stop();
        await(() -> jobState(restarted).equals("waiting for autograd"), "'waiting for autograd' before the update");
        autograd.update(); // a stopped bundle stays stopped: the job is sure to be mid-run when the new revision starts
        autograd.start();
        awaitCompleted(restarted);
        assertSameWeights("autograd stopped and started 3 times, then updated", reference, weights(restarted));
        report("3 autograd restarts and an update", t0);

        // 4. The train bundle updated mid-epoch: the old revision suspends the job, the new one resumes it by itself.
        Path moved = train(root, "train-update", false);
        await(() -> jobStep(moved) >= 4 * STEPS_PER_EPOCH + 20, "mid-epoch 5");
        t0 = System.nanoTime();
        WeakReference<ClassLoader> oldTrain = new WeakReference<>(bundle(TRAIN_JAR).adapt(BundleWiring.class).getClassLoader());
        bundle(TRAIN_JAR).update();
        awaitCompleted(moved);
        try (Stream<Path> checkpoints = Files.list(moved.resolve("checkpoints"))) {
            assertTrue("a mid-epoch checkpoint", checkpoints.anyMatch(p -> p.getFileName().toString().startsWith("step-")));
        }
        assertSameWeights("train bundle updated mid-epoch", reference, weights(moved));
        report("train bundle update", t0);

        assertTrue(kernel.backends().waitingFor().isEmpty());
        usedHeapAfterGc();
        List<Integer> loaded = new ArrayList<>();
        for (int i = 0; i < oldRevisions.size(); i++) if (oldRevisions.get(i).get() != null) loaded.add(i);
        long kept = loaded.size();
        System.out.printf("HotSwapOsgiIT: %d of the CPU backend's 20 replaced revisions still loaded after GC %s%n", kept, loaded);
        assertEquals("replaced revisions of the CPU backend still reachable (a leak keeps its classes loaded)", 0, kept);
        System.out.printf("HotSwapOsgiIT: replaced autograd revision still loaded: %b, replaced train revision: %b%n", oldAutograd.get() != null, oldTrain.get() != null);
        assertTrue("the replaced autograd revision is still reachable", oldAutograd.get() == null);
        assertTrue("the replaced train revision is still reachable", oldTrain.get() == null);
        awaitThreads(threadsBefore);
        long heapAfter = usedHeapAfterGc();
        System.out.printf("HotSwapOsgiIT: heap after GC %.1f MB before the swaps, %.1f MB after%n", heapBefore / 1e6, heapAfter / 1e6);
        assertTrue("heap after GC: " + heapBefore + " bytes before the swaps, " + heapAfter + " after", heapAfter < heapBefore + 8_000_000L);
    }

    // ---- jobs ----

    /** Starts a job writing to {@code root/name} (in the foreground with {@code wait}); returns its directory. */
    private Path train(Path root, String name, boolean wait) throws Exception {
        Path out = root.resolve(name);
        String r = String.valueOf(execute(JOB + " --out " + out + (wait ? " --wait" : "")));
        assertTrue(r, r.contains(wait ? "completed" : "job "));
        return out;
    }

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+\\s+(.+?)\\s+(\\d+)/(\\d+)\\s+(\\d+|-)\\s");

    /** The kindling:jobs row of the job writing to {@code out} (retried while the train bundle's commands are away). */
    private Matcher jobRow(Path out) {
        String jobs;
        try {
            jobs = String.valueOf(execute("kindling:jobs"));
        } catch (Exception e) {
            return null; // the commands come back with the new revision of the train bundle
        }
        Matcher found = null;
        for (String line : jobs.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (line.contains(out.getFileName().toString()) && m.find()) found = m; // the newest job for the directory
        }
        return found;
    }

    private int jobStep(Path out) {
        Matcher m = jobRow(out);
        return m == null || m.group(4).equals("-") ? -1 : Integer.parseInt(m.group(4));
    }

    private String jobState(Path out) {
        Matcher m = jobRow(out);
        return m == null ? "unknown" : m.group(1);
    }

    private void awaitCompleted(Path out) {
        await(() -> Files.exists(out.resolve("summary.json")) && summaryState(out).equals("completed"), out.getFileName() + " completed");
    }

    private static String summaryState(Path out) {
        try {
            Matcher m = Pattern.compile("\"state\"\\s*:\\s*\"(\\w+)\"").matcher(Files.readString(out.resolve("summary.json")));
            return m.find() ? m.group(1) : "";
        } catch (java.io.IOException e) {
            return ""; // being written
        }
    }

    private static Map<String, Tensor> weights(Path run) throws Exception { return dev.kindling.io.Safetensors.load(run.resolve("model.safetensors")); }

    private static void assertSameWeights(String what, Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(what, expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) assertArrayEquals(what + ": " + k, expected.get(k).toFloatArray(), actual.get(k).toFloatArray(), 0f);
    }

    private static void report(String what, long t0) {
        System.out.printf("HotSwapOsgiIT: %s: %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
    }

    // ---- threads and heap ----

    /**
     * The live threads by name and id, without the common fork-join pool's workers: the JVM starts and retires those
     * by load (the CPU backend computes on it), so they are not threads anything here owns.
     */
    private static Set<String> threadNames() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !t.getName().startsWith("ForkJoinPool.commonPool-worker")) names.add(t.getName() + "#" + t.getId());
        }
        return names;
    }

    /** No thread is left that was not there before the swaps (threads that ended their work may take a moment to exit). */
    private static void awaitThreads(Set<String> before) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            Set<String> now = threadNames();
            Set<String> added = new TreeSet<>(now);
            added.removeAll(before);
            Set<String> kept = new TreeSet<>(now);
            kept.retainAll(before);
            // The train bundle's job thread belongs to its revision: the old one's ended, the new one's took its place.
            added.removeIf(n -> n.startsWith("kindling-training-jobs#") && before.stream().anyMatch(b -> b.startsWith("kindling-training-jobs#"))
                    && kept.stream().noneMatch(b -> b.startsWith("kindling-training-jobs#")));
            // Threads of the framework that ended meanwhile (another test's HTTP keep-alive timer) are no leak.
            if (added.isEmpty()) {
                System.out.printf("HotSwapOsgiIT: %d threads before the swaps, %d after, none new (common fork-join pool workers not counted)%n",
                        before.size(), now.size());
                return;
            }
            if (System.currentTimeMillis() > deadline) throw new AssertionError("threads left after the swaps: " + added + " (before: " + before + ")");
            sleep(200);
        }
    }

    private static long usedHeapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    // ---- helpers ----

    private Object execute(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandSession session = commandProcessor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            return session.execute(command);
        } finally {
            session.close();
        }
    }

    private Bundle bundle(String jar) {
        String location = KindlingOsgiIT.bundleUrl(jar);
        for (Bundle b : context.getBundles()) if (location.equals(b.getLocation())) return b;
        throw new AssertionError(location + " is not installed");
    }

    private void await(BooleanSupplier condition, String what) {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what + "\n" + diagnostics());
            sleep(5);
        }
    }

    /** The jobs table and where the job threads are: what a timeout needs explained. */
    private String diagnostics() {
        StringBuilder sb = new StringBuilder();
        try {
            sb.append(execute("kindling:jobs")).append('\n');
        } catch (Exception e) {
            sb.append("kindling:jobs: ").append(e).append('\n');
        }
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (!t.getName().startsWith("kindling-training-jobs")) return;
            sb.append(t).append(' ').append(t.getState()).append('\n');
            for (StackTraceElement e : stack) sb.append("    at ").append(e).append('\n');
        });
        return sb.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
