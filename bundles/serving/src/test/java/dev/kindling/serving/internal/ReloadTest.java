package dev.kindling.serving.internal;

import dev.kindling.nn.Module;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static dev.kindling.serving.internal.Fixture.call;
import static dev.kindling.serving.internal.Fixture.inferBody;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hot reload: new files and versions swap in under concurrent requests with none failing; a broken file changes nothing. */
class ReloadTest {
    @TempDir
    Path repo;
    private ModelServer server;
    private final Map<String, AtomicInteger> registered = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private Protocol start() throws Exception {
        ModelRepository.Listener l = new ModelRepository.Listener() {
            @Override public void ready(LoadedVersion v) { registered.computeIfAbsent(v.version, k -> new AtomicInteger()).incrementAndGet(); }

            @Override public void gone(LoadedVersion v) { registered.get(v.version).decrementAndGet(); }
        };
        server = new ModelServer(repo, ServingOptions.defaults().withPollMillis(30), "0.1.0", l).start();
        return server.protocol;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(10);
        }
    }

    private static float[] answer(Protocol p, String path, float[] x) {
        Fixture.Response r = call(p, "POST", path, inferBody("input", x, 1, 4));
        assertEquals(200, r.status(), r.text());
        return Fixture.floats(r.json().get("outputs").get(0).get("data"));
    }

    @Test
    void reloadsUnderConcurrentRequestsFailNone() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 100);
        Protocol p = start();
        float[] x = {1, -2, 3, 0.5f};
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread c = new Thread(() -> {
                while (!stop.get()) {
                    Fixture.Response r = call(p, "POST", "/v2/models/mlp/infer", inferBody("input", x, 1, 4));
                    if (r.status() == 200) ok.incrementAndGet();
                    else failures.add(r.status() + " " + r.text());
                }
            });
            c.start();
            clients.add(c);
        }
        Module last = null;
        for (int i = 1; i <= 5; i++) {
            Path tmp = repo.resolve("staged.safetensors");
            last = Fixture.saveMlp(repo.resolve(".staging"), "m", "1", 100 + i);
            Files.move(repo.resolve(".staging/m/1/model.safetensors"), tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, repo.resolve("mlp/1/model.safetensors"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            float[] want = Fixture.forward(last, x, 1, 4);
            await(() -> java.util.Arrays.equals(answer(p, "/v2/models/mlp/infer", x), want), "reload " + " serves the new weights");
        }
        // a new version becomes the default (latest policy keeps 1: version 1 is unloaded and drained)
        Module v2 = Fixture.saveMlp(repo, "mlp", "2", 200);
        await(() -> java.util.Arrays.equals(answer(p, "/v2/models/mlp/infer", x), Fixture.forward(v2, x, 1, 4)), "version 2 serves");
        stop.set(true);
        for (Thread c : clients) c.join(10_000);
        assertEquals(List.of(), failures, "no request failed during 6 swaps");
        assertTrue(ok.get() > 50, "clients kept being answered: " + ok.get());
        await(() -> !server.repository.model("mlp").versions.containsKey(1L), "version 1 is dropped by the policy");
        assertEquals(0, registered.get("1").get(), "the version-1 service is unregistered");
        assertEquals(1, registered.get("2").get());
    }

    @Test
    void aBrokenNewFileLeavesTheOldVersionServingAndSaysWhy() throws Exception {
        Module v1 = Fixture.saveMlp(repo, "mlp", "1", 300);
        Protocol p = start();
        float[] x = {0, 1, 0, 1};
        Path tmp = repo.resolve("broken.tmp");
        Files.writeString(tmp, "{not a model");
        Files.move(tmp, repo.resolve("mlp/1/model.safetensors"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        await(() -> server.repository.index().get(0).reason().startsWith("reload failed"), "the failed reload is reported");
        ModelRepository.Entry e = server.repository.index().get(0);
        assertEquals(ModelRepository.State.READY, e.state());
        assertTrue(e.reason().contains("cannot load mlp/1/model.safetensors"), e.reason());
        assertArrayEquals(Fixture.forward(v1, x, 1, 4), answer(p, "/v2/models/mlp/infer", x), "the old weights still answer");
        // fixing the file loads it
        Module fixed = Fixture.saveMlp(repo, "mlp", "1", 301);
        await(() -> java.util.Arrays.equals(answer(p, "/v2/models/mlp/infer", x), Fixture.forward(fixed, x, 1, 4)), "the fixed file serves");
        // a broken config.json is reported and changes nothing
        Files.writeString(repo.resolve("mlp/config.json"), "{\"max_batch_sise\": 4}");
        await(() -> server.repository.index().get(0).reason().contains("unknown key 'max_batch_sise'"), "the config error is reported");
        assertArrayEquals(Fixture.forward(fixed, x, 1, 4), answer(p, "/v2/models/mlp/infer", x));
    }
}
