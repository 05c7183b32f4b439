package dev.kindling.train;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.DistributedSampler;
import dev.kindling.data.TensorDataset;
import dev.kindling.distributed.Dist;
import dev.kindling.distributed.HashStore;
import dev.kindling.distributed.InitOptions;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.nn.Linear;
import dev.kindling.nn.MSELoss;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Trainer's data-parallel strategy with ranks as threads (the local backend). */
class DataParallelStrategyTest {
    record RankResult(List<float[]> params, List<Double> losses, String log) {}

    static final Tensor X, Y;

    static {
        Torch.manualSeed(11);
        X = Torch.randn(32, 12);
        Y = Torch.randn(32, 3);
    }

    static Module mlp() {
        Torch.manualSeed(4);
        return new Sequential(new Linear(12, 16), new ReLU(), new Linear(16, 3));
    }

    /** {@code world} ranks train 3 epochs on their shares, global batch 8, accumulating {@code accumulate} batches. */
    static List<RankResult> train(int world, int accumulate) throws Exception { return train(world, accumulate, 3, null, null); }

    /** As above, for {@code epochs} epochs, checkpointing into {@code checkpoints} and resuming from {@code resume}. */
    static List<RankResult> train(int world, int accumulate, int epochs, Path checkpoints, Path resume) throws Exception {
        HashStore store = new HashStore();
        Module[] models = new Module[world];
        for (int r = 0; r < world; r++) models[r] = mlp();
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<RankResult>> fs = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    try (ProcessGroup pg = Dist.newProcessGroup(InitOptions.builder().backend("local").store(store).rank(rank)
                            .worldSize(world).timeout(Duration.ofSeconds(30)).build())) {
                        DataLoader<List<Tensor>> loader = DataLoader.builder(new TensorDataset(X, Y)).batchSize(8 / world)
                                .sampler(new DistributedSampler(32, world, rank, true, 3, false)).build();
                        ByteArrayOutputStream log = new ByteArrayOutputStream();
                        Trainer.Builder b = Trainer.builder(models[rank]).optimizer(new SGD(models[rank].parameters(), 0.05, 0.9))
                                .loss(new MSELoss()).epochs(epochs).accumulateGradients(accumulate).strategy(new DataParallelStrategy(pg))
                                .callbacks(new ProgressLogger(new PrintStream(log, true)));
                        if (checkpoints != null) b.callbacks(new ModelCheckpoint(checkpoints));
                        if (resume != null) b.resumeFrom(resume);
                        History h = b.build().fit(loader);
                        List<float[]> ps = new ArrayList<>();
                        for (Tensor p : models[rank].parameters()) ps.add(p.toFloatArray());
                        List<Double> losses = new ArrayList<>();
                        for (Map<String, Double> e : h.epochs()) losses.add(e.get("train_loss"));
                        return new RankResult(ps, losses, log.toString());
                    }
                }));
            }
            List<RankResult> out = new ArrayList<>();
            for (Future<RankResult> f : fs) out.add(f.get(60, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static void assertClose(List<float[]> want, List<float[]> got) {
        for (int i = 0; i < want.size(); i++) {
            double d = 0, n = 0;
            for (int j = 0; j < want.get(i).length; j++) {
                d += Math.pow(want.get(i)[j] - got.get(i)[j], 2);
                n += Math.pow(want.get(i)[j], 2);
            }
            assertTrue(Math.sqrt(d) <= 1e-5 * Math.sqrt(n), "param " + i + ": relative difference " + Math.sqrt(d / n));
        }
    }

    @TempDir
    Path dir;

    @Test
    void allRanksResumeFromRankZerosCheckpointBitForBit() throws Exception {
        List<RankResult> straight = train(2, 1, 4, dir.resolve("straight"), null);
        Path ckpts = dir.resolve("ckpt");
        train(2, 1, 2, ckpts, null);
        assertEquals("epoch-0002", Files.readString(ckpts.resolve("latest")).trim(), "rank 0 wrote the checkpoints");
        List<RankResult> resumed = train(2, 1, 4, ckpts, ckpts);
        for (int r = 0; r < 2; r++) {
            for (int i = 0; i < straight.get(0).params().size(); i++) {
                assertArrayEquals(straight.get(r).params().get(i), resumed.get(r).params().get(i), "rank " + r + " param " + i);
            }
        }
    }

    @Test
    void twoRanksTrainAsOneProcessWithTheGlobalBatchAndOnlyRankZeroLogs() throws Exception {
        for (int accumulate : new int[] {1, 2}) {
            RankResult single = train(1, accumulate).get(0);
            List<RankResult> ranks = train(2, accumulate);
            for (int i = 0; i < single.params().size(); i++) assertArrayEquals(ranks.get(0).params().get(i), ranks.get(1).params().get(i));
            assertClose(single.params(), ranks.get(0).params());
            assertEquals(ranks.get(0).losses(), ranks.get(1).losses(), "epoch metrics are reduced over ranks");
            for (int e = 0; e < 3; e++) assertEquals(single.losses().get(e), ranks.get(0).losses().get(e), 1e-5);
            assertTrue(ranks.get(0).log().contains("epoch"), ranks.get(0).log());
            assertEquals("", ranks.get(1).log(), "rank 1 runs no logger");
        }
    }
}
