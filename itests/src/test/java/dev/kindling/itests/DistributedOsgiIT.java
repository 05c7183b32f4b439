package dev.kindling.itests;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.distributed.DdpOptions;
import dev.kindling.distributed.DistributedDataParallel;
import dev.kindling.distributed.Dist;
import dev.kindling.distributed.HashStore;
import dev.kindling.distributed.InitOptions;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.distributed.ReduceOp;
import dev.kindling.distributed.spi.ProcessGroupBackend;
import dev.kindling.kernel.Kernel;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import javax.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * The distributed bundles on a real Felix: they resolve, the gloo and mpi backends register as DS services, and a 2-rank
 * {@code local} all-reduce and DDP step run in the container, also meeting through Hazelcast; gloo too, where its
 * natives were built.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DistributedOsgiIT {
    @Inject
    BundleContext context;

    @Inject
    Kernel kernel;

    @Configuration
    public Option[] config() {
        List<String> bundles = new ArrayList<>(Arrays.asList(KindlingOsgiIT.BUNDLES));
        bundles.addAll(List.of("kindling-distributed", "kindling-distributed-gloo-natives", "kindling-distributed-gloo",
                "kindling-distributed-mpi-natives", "kindling-distributed-mpi", "hazelcast", "kindling-distributed-hazelcast"));
        return KindlingOsgiIT.container(bundles);
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) if (b.getSymbolicName().equals(symbolicName)) return b;
        return null;
    }

    static <T> List<T> ranks(int n, IntFunction<T> body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                fs.add(pool.submit(() -> body.apply(rank)));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) out.add(f.get(60, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void theBundlesResolveAndTheGlooBackendIsAService() throws Exception {
        for (String bsn : List.of("dev.kindling.distributed", "dev.kindling.distributed.gloo.natives", "dev.kindling.distributed.gloo",
                "dev.kindling.distributed.mpi.natives", "dev.kindling.distributed.mpi", "com.hazelcast", "dev.kindling.distributed.hazelcast")) {
            Bundle b = bundle(bsn);
            assertNotNull(bsn + " installed", b);
            assertEquals(bsn, Bundle.ACTIVE, b.getState());
        }
        long end = System.currentTimeMillis() + 10_000;
        ServiceReference<?>[] refs = null;
        while (System.currentTimeMillis() < end && (refs = context.getServiceReferences(ProcessGroupBackend.class.getName(), null)) == null) Thread.sleep(50);
        while (System.currentTimeMillis() < end && (refs == null || refs.length < 2)) {
            Thread.sleep(50);
            refs = context.getServiceReferences(ProcessGroupBackend.class.getName(), null);
        }
        assertNotNull("ProcessGroupBackend services", refs);
        List<String> names = new ArrayList<>();
        for (ServiceReference<?> r : refs) names.add(((ProcessGroupBackend) context.getService(r)).name());
        java.util.Collections.sort(names);
        assertEquals(List.of("gloo", "mpi"), names);
    }

    @Test
    public void aTwoRankLocalAllReduceAndADdpStepRunInTheContainer() throws Exception {
        HashStore store = new HashStore();
        Module[] models = {new Linear(3, 2), new Linear(3, 2)};
        List<float[]> out = ranks(2, rank -> {
            try (ProcessGroup pg = Dist.newProcessGroup(InitOptions.builder().backend("local").store(store).rank(rank).worldSize(2)
                    .timeout(Duration.ofSeconds(20)).build())) {
                Tensor t = Torch.full(new long[] {4}, rank + 1.0);
                pg.allReduce(t, ReduceOp.SUM).await();
                DistributedDataParallel ddp = new DistributedDataParallel(models[rank], DdpOptions.builder().processGroup(pg).build());
                ddp.forward(Torch.full(new long[] {2, 3}, rank)).sum().backward();
                float[] g = models[rank].parameters().get(0).grad().toFloatArray();
                float[] r = new float[5];
                System.arraycopy(t.toFloatArray(), 0, r, 0, 4);
                r[4] = g[0];
                return r;
            }
        });
        assertArrayEquals(new float[] {3, 3, 3, 3, 1}, out.get(0), 0f); // mean over ranks of 2 rows x input (0 or 1)
        assertArrayEquals(out.get(0), out.get(1), 0f);
    }

    @Test
    public void ranksMeetThroughHazelcastInTheContainer() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String init = "hazelcast://127.0.0.1:" + port;
        List<float[]> out = ranks(2, rank -> {
            try (ProcessGroup pg = Dist.newProcessGroup(InitOptions.builder().backend("local").initMethod(init).rank(rank).worldSize(2)
                    .timeout(Duration.ofSeconds(30)).build())) {
                Tensor t = Torch.full(new long[] {2}, rank + 1.0);
                pg.allReduce(t, ReduceOp.MAX).await();
                return t.toFloatArray();
            }
        });
        for (float[] r : out) assertArrayEquals(new float[] {2, 2}, r, 0f);
    }

    @Test
    public void glooRunsThroughTheNativeBundleWhereItWasBuilt() throws Exception {
        String reason = dev.kindling.distributed.gloo.jni.GlooNative.unavailableReason();
        if (reason != null) {
            System.out.println("[gloo] in-container gloo test skipped: " + reason);
            return;
        }
        HashStore store = new HashStore();
        List<float[]> out = ranks(2, rank -> {
            try (ProcessGroup pg = Dist.newProcessGroup(InitOptions.builder().backend("gloo").store(store).rank(rank).worldSize(2)
                    .timeout(Duration.ofSeconds(20)).build())) {
                Tensor t = Torch.full(new long[] {3}, rank + 0.5);
                pg.allReduce(t, ReduceOp.SUM).await();
                return t.toFloatArray();
            }
        });
        for (float[] r : out) assertArrayEquals(new float[] {2, 2, 2}, r, 0f);
        assertTrue(bundle("dev.kindling.distributed.gloo.natives").getHeaders().get("Bundle-NativeCode").contains("libkindling_gloo.so"));
    }
}
