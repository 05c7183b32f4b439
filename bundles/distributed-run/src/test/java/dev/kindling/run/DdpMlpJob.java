package dev.kindling.run;

import dev.kindling.api.GradMode;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.distributed.DistributedDataParallel;
import dev.kindling.distributed.DistributedException;
import dev.kindling.distributed.Dist;
import dev.kindling.distributed.InitOptions;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.functional.F;
import dev.kindling.optim.SGD;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * A rank of the multi-JVM tests: trains an MLP with DDP over gloo (env://, as kindling-run sets it), checks after
 * every step that all ranks' parameters hash the same (SHA-256, compared through allGather), checkpoints on rank 0,
 * resumes from the checkpoint after a restart, and can inject a fault.
 * Args: steps outDir fault(none|kill|stop|exit) faultRank faultStep timeoutSeconds checkpointEvery
 */
public final class DdpMlpJob {
    static final int IN = 20, HIDDEN = 64, OUT = 4, BATCH = 8;

    public static void main(String[] a) throws Exception {
        int steps = Integer.parseInt(a[0]);
        Path outDir = Path.of(a[1]);
        String fault = a[2];
        int faultRank = Integer.parseInt(a[3]), faultStep = Integer.parseInt(a[4]);
        Duration timeout = Duration.ofSeconds(Long.parseLong(a[5]));
        int checkpointEvery = Integer.parseInt(a[6]);
        int restart = Integer.parseInt(System.getenv().getOrDefault("KINDLING_RESTART_COUNT", "0"));

        long t0 = System.nanoTime();
        ProcessGroup pg = Dist.initProcessGroup(InitOptions.builder().backend("gloo").timeout(timeout).build());
        int rank = pg.rank(), world = pg.size();
        System.out.println("rendezvous took " + (System.nanoTime() - t0) / 1_000_000 + " ms");

        Torch.manualSeed(7 + rank); // different on each rank: DDP's construction broadcast makes them equal
        Module model = new Sequential(new Linear(IN, HIDDEN), new ReLU(), new Linear(HIDDEN, HIDDEN), new ReLU(), new Linear(HIDDEN, OUT));
        int start = 0;
        Path ckpt = outDir.resolve("checkpoint.bin");
        if (restart > 0 && Files.exists(ckpt)) {
            start = load(ckpt, model);
            System.out.println("resumed from step " + start);
        }
        DistributedDataParallel ddp = new DistributedDataParallel(model);
        SGD opt = new SGD(ddp.parameters(), 0.05);
        try {
            for (int step = start; step < steps; step++) {
                if (restart == 0 && rank == faultRank && step == faultStep) inject(fault, outDir);
                Generator g = new Generator(1000 + step);
                Tensor x = Torch.randn(g, (long) world * BATCH, IN).narrow(0, (long) rank * BATCH, BATCH);
                Tensor y = Torch.randn(g, (long) world * BATCH, OUT).narrow(0, (long) rank * BATCH, BATCH);
                opt.zeroGrad();
                F.mseLoss(ddp.forward(x), y).backward();
                opt.step();
                byte[] hash = hash(model);
                long[] mine = toLongs(hash);
                long[] all = new long[4 * world];
                pg.allGather(mine, all).await();
                for (int r = 1; r < world; r++) {
                    for (int k = 0; k < 4; k++) {
                        if (all[k] != all[4 * r + k]) {
                            System.out.println("DIVERGED at step " + step + ": rank 0 and rank " + r + " differ");
                            System.exit(3);
                        }
                    }
                }
                if (rank == 0 && checkpointEvery > 0 && (step + 1) % checkpointEvery == 0) save(ckpt, model, step + 1);
            }
        } catch (DistributedException e) {
            System.out.println("FAILED lostRank=" + e.lostRank().orElse(-1) + " at=" + System.currentTimeMillis() + " "
                    + (e instanceof dev.kindling.distributed.DistributedTimeoutException ? "timeout " : "") + "msg=" + e.getMessage());
            System.exit(4);
        }
        String hex = HexFormat.of().formatHex(hash(model));
        System.out.println("FINAL " + hex);
        Files.writeString(outDir.resolve("final-" + rank + ".txt"), hex);
        Dist.destroyProcessGroup();
    }

    static long[] toLongs(byte[] b) {
        long[] out = new long[4];
        ByteBuffer.wrap(b).asLongBuffer().get(out);
        return out;
    }

    static void inject(String fault, Path outDir) throws IOException, InterruptedException {
        if (fault.equals("none")) return;
        Files.writeString(outDir.resolve("fault-at.txt"), Long.toString(System.currentTimeMillis()));
        String pid = Long.toString(ProcessHandle.current().pid());
        switch (fault) {
            case "kill" -> new ProcessBuilder("kill", "-9", pid).start().waitFor();
            case "stop" -> new ProcessBuilder("kill", "-STOP", pid).start().waitFor();
            case "exit" -> System.exit(1);
            default -> throw new IllegalArgumentException(fault);
        }
        Thread.sleep(60_000); // kill -9 and SIGSTOP take effect before this ends
    }

    static byte[] hash(Module m) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Tensor p : m.parameters()) {
            float[] f = p.toFloatArray();
            ByteBuffer bb = ByteBuffer.allocate(4 * f.length);
            for (float v : f) bb.putInt(Float.floatToRawIntBits(v));
            md.update(bb.array());
        }
        return md.digest();
    }

    static void save(Path file, Module m, int step) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(tmp))) {
            out.writeInt(step);
            for (Tensor p : m.parameters()) {
                float[] f = p.toFloatArray();
                out.writeInt(f.length);
                for (float v : f) out.writeFloat(v);
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static int load(Path file, Module m) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file)); GradMode ignored = Torch.noGrad()) {
            int step = in.readInt();
            List<Tensor> ps = m.parameters();
            for (Tensor p : ps) {
                float[] f = new float[in.readInt()];
                for (int i = 0; i < f.length; i++) f[i] = in.readFloat();
                p.data().copy_(Torch.tensor(f, p.shape()));
            }
            return step;
        }
    }
}
