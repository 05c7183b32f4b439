package dev.kindling.distributed;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.BatchNorm1d;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.functional.F;
import dev.kindling.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistributedDataParallelTest {
    static Module mlp(long seed) {
        Torch.manualSeed(seed);
        return new Sequential(new Linear(12, 32), new ReLU(), new Linear(32, 16), new ReLU(), new Linear(16, 3));
    }

    static List<float[]> params(Module m) {
        List<float[]> out = new ArrayList<>();
        for (Tensor p : m.parameters()) out.add(p.toFloatArray());
        return out;
    }

    static Tensor data(long seed, long... shape) {
        Torch.manualSeed(seed);
        return Torch.randn(shape);
    }

    /** Trains {@code steps} SGD steps; each step's batch is rows [rank*B, (rank+1)*B) of that step's batch of world*B. */
    static List<float[]> train(Module model, DistributedDataParallel ddp, Tensor[] xs, Tensor[] ys, int rank, int world) {
        Module net = ddp != null ? ddp : model;
        SGD opt = new SGD(net.parameters(), 0.1, 0.9);
        for (int s = 0; s < xs.length; s++) {
            long b = xs[s].size(0) / world;
            Tensor x = xs[s].narrow(0, rank * b, b);
            Tensor y = ys[s].narrow(0, rank * b, b);
            opt.zeroGrad();
            F.mseLoss(net.forward(x), y).backward();
            opt.step();
        }
        return params(model);
    }

    /** Per parameter tensor, ||want - got|| <= rel * ||want|| (summation order differs, so not bitwise). */
    static void assertClose(List<float[]> want, List<float[]> got, double rel) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            double diff = 0, norm = 0;
            for (int j = 0; j < want.get(i).length; j++) {
                double w = want.get(i)[j], g = got.get(i)[j];
                diff += (w - g) * (w - g);
                norm += w * w;
            }
            assertTrue(Math.sqrt(diff) <= rel * Math.sqrt(norm), "param " + i + ": relative difference " + Math.sqrt(diff / norm));
        }
    }

    static void assertBitwiseEqual(List<float[]> a, List<float[]> b) {
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "param " + i);
    }

    @Test
    void twoRanksOfBatchBMatchOneProcessOfBatch2BAndStayBitwiseEqual() {
        int steps = 20;
        Tensor[] xs = new Tensor[steps], ys = new Tensor[steps];
        for (int s = 0; s < steps; s++) {
            xs[s] = data(100 + s, 16, 12);
            ys[s] = data(200 + s, 16, 3);
        }
        List<float[]> single = train(mlp(1), null, xs, ys, 0, 1);
        for (DdpOptions.Builder opts : List.of(DdpOptions.builder(), DdpOptions.builder().firstBucketBytes(600).bucketCapMb(0.002),
                DdpOptions.builder().overlap(false).firstBucketBytes(100).bucketCapMb(0.001))) {
            // rank 1 starts from different weights: DDP's construction broadcast must replace them with rank 0's
            Module[] models = {mlp(1), mlp(99)};
            HashStore store = new HashStore();
            List<List<float[]>> ranks = Ranks.values(Ranks.run(2, rank -> {
                try (ProcessGroup pg = Ranks.local(store, rank, 2)) {
                    DistributedDataParallel ddp = new DistributedDataParallel(models[rank], opts.processGroup(pg).build());
                    return train(models[rank], ddp, xs, ys, rank, 2);
                }
            }));
            assertBitwiseEqual(ranks.get(0), ranks.get(1));
            assertClose(single, ranks.get(0), 1e-5);
        }
    }

    @Test
    void bucketsFollowReverseParameterOrderWithASmallFirstBucket() {
        // parameter sizes (float32 bytes): 0.weight 1536, 0.bias 128, 2.weight 2048, 2.bias 64, 4.weight 192, 4.bias 12
        Module m = mlp(1);
        HashStore store = new HashStore();
        List<List<List<String>>> out = Ranks.values(Ranks.run(1, rank -> {
            try (ProcessGroup pg = Ranks.local(store, 0, 1)) {
                return new DistributedDataParallel(m, DdpOptions.builder().processGroup(pg).firstBucketBytes(200).bucketCapMb(2100.0 / (1 << 20)).build())
                        .bucketParameterNames();
            }
        }));
        assertEquals(List.of(List.of("4.bias", "4.weight"), List.of("2.bias", "2.weight"), List.of("0.bias", "0.weight")), out.get(0));
        List<List<List<String>>> defaults = Ranks.values(Ranks.run(1, rank -> {
            try (ProcessGroup pg = Ranks.local(new HashStore(), 0, 1)) {
                return new DistributedDataParallel(mlp(1), DdpOptions.builder().processGroup(pg).build()).bucketParameterNames();
            }
        }));
        assertEquals(1, defaults.get(0).size(), "a small model fits PyTorch's first 1 MB bucket");
    }

    @Test
    void noSyncAccumulatesLocallyAndTheNextSyncedBackwardReducesTheSum() {
        Tensor x1 = data(5, 4, 12), x2 = data(6, 4, 12), y = data(7, 2, 3);
        // reference: one process, grads of (loss(rank0 part) + loss(rank1 part)) / 2, accumulated over x1 and x2
        Module ref = mlp(3);
        for (Tensor x : List.of(x1, x2)) {
            for (int r = 0; r < 2; r++) F.mseLoss(ref.forward(x.narrow(0, 2L * r, 2)), y).div(2).backward();
        }
        HashStore store = new HashStore();
        Module[] models = {mlp(3), mlp(3)};
        List<List<float[]>> grads = Ranks.values(Ranks.run(2, rank -> {
            try (ProcessGroup pg = Ranks.local(store, rank, 2)) {
                DistributedDataParallel ddp = new DistributedDataParallel(models[rank], DdpOptions.builder().processGroup(pg).build());
                try (var ns = ddp.noSync()) {
                    F.mseLoss(ddp.forward(x1.narrow(0, 2L * rank, 2)), y).backward();
                }
                // nothing was reduced yet: each rank holds only its own gradient
                List<float[]> local = new ArrayList<>();
                for (Tensor p : models[rank].parameters()) local.add(p.grad().toFloatArray());
                F.mseLoss(ddp.forward(x2.narrow(0, 2L * rank, 2)), y).backward();
                List<float[]> out = new ArrayList<>();
                for (Tensor p : models[rank].parameters()) out.add(p.grad().toFloatArray());
                return out;
            }
        }));
        List<float[]> want = new ArrayList<>();
        for (Tensor p : ref.parameters()) want.add(p.grad().toFloatArray());
        assertBitwiseEqual(grads.get(0), grads.get(1));
        assertClose(want, grads.get(0), 1e-5);
    }

    /** Uses its second layer only when told to: a parameter that gets no gradient. */
    static final class Branchy extends Module {
        final Linear used = new Linear(4, 2);
        final Linear unused = new Linear(4, 2);

        @Override
        public Tensor forward(Tensor x) { return used.forward(x); }
    }

    @Test
    void unusedParametersFailTheNextForwardUnlessFindUnusedParametersIsOn() {
        Module[] models = {new Branchy(), new Branchy()};
        HashStore store = new HashStore();
        List<String> errors = Ranks.values(Ranks.run(2, rank -> {
            try (ProcessGroup pg = Ranks.local(store, rank, 2)) {
                DistributedDataParallel ddp = new DistributedDataParallel(models[rank], DdpOptions.builder().processGroup(pg).build());
                ddp.forward(Torch.ones(3, 4)).sum().backward();
                return assertThrows(IllegalStateException.class, () -> ddp.forward(Torch.ones(3, 4))).getMessage();
            }
        }));
        for (String e : errors) assertTrue(e.contains("Expected to have finished reduction") && e.contains("unused.weight, unused.bias"), e);

        Module[] models2 = {new Branchy(), new Branchy()};
        HashStore store2 = new HashStore();
        List<float[]> grads = Ranks.values(Ranks.run(2, rank -> {
            try (ProcessGroup pg = Ranks.local(store2, rank, 2)) {
                DistributedDataParallel ddp = new DistributedDataParallel(models2[rank],
                        DdpOptions.builder().processGroup(pg).findUnusedParameters(true).build());
                for (int step = 0; step < 3; step++) ddp.forward(Torch.full(new long[] {3, 4}, rank + 1.0)).sum().backward();
                assertNull(((Branchy) models2[rank]).unused.weight().grad(), "a globally unused parameter keeps no gradient");
                return ((Branchy) models2[rank]).used.weight().grad().toFloatArray();
            }
        }));
        assertArrayEquals(grads.get(0), grads.get(1));
        assertEquals(3 * 3 * 1.5f, grads.get(0)[0], 1e-5); // 3 steps, 3 rows, mean of inputs 1 and 2
    }

    /** Uses its second layer when {@link #withSecond} is set. */
    static final class Switchable extends Module {
        final Linear first = new Linear(4, 2);
        final Linear second = new Linear(4, 2);
        boolean withSecond = true;

        @Override
        public Tensor forward(Tensor x) { return withSecond ? first.forward(x).add(second.forward(x)) : first.forward(x); }
    }

    /**
     * Bucket buffers are reused from one iteration to the next, so a parameter a rank did not use must reduce as zeros,
     * not as the gradient that rank had in the previous iteration.
     */
    @Test
    void aParameterUnusedOnOneRankReducesAsZerosAfterAnIterationThatUsedIt() {
        Module[] models = {new Switchable(), new Switchable()};
        HashStore store = new HashStore();
        List<float[]> grads = Ranks.values(Ranks.run(2, rank -> {
            try (ProcessGroup pg = Ranks.local(store, rank, 2)) {
                Switchable m = (Switchable) models[rank];
                DistributedDataParallel ddp = new DistributedDataParallel(m, DdpOptions.builder().processGroup(pg).findUnusedParameters(true).build());
                // step 1: both ranks use the second layer; its weight's local gradient is 3 * (rank + 1) per element
                ddp.forward(Torch.full(new long[] {3, 4}, rank + 1.0)).sum().backward();
                assertEquals(4.5f, m.second.weight().grad().toFloatArray()[0], 1e-6f);
                for (Tensor p : m.parameters()) p.setGrad(null);
                // step 2: only rank 0 does (local gradient 3); rank 1's share must be 0, not its stale 6
                m.withSecond = rank == 0;
                ddp.forward(Torch.ones(3, 4)).sum().backward();
                return m.second.weight().grad().toFloatArray();
            }
        }));
        assertArrayEquals(grads.get(0), grads.get(1));
        assertEquals(1.5f, grads.get(0)[0], 1e-6f);
    }

    @Test
    void buffersComeFromRankZeroAtEveryTrainingForward() {
        Module[] models = {new Sequential(new Linear(3, 4), new BatchNorm1d(4)), new Sequential(new Linear(3, 4), new BatchNorm1d(4))};
        HashStore store = new HashStore();
        List<Map<String, float[]>> states = Ranks.values(Ranks.run(2, rank -> {
            try (ProcessGroup pg = Ranks.local(store, rank, 2)) {
                DistributedDataParallel ddp = new DistributedDataParallel(models[rank], DdpOptions.builder().processGroup(pg).build());
                ddp.forward(Torch.full(new long[] {5, 3}, rank).add(Torch.arange(15).reshape(5, 3).to(dev.kindling.api.DType.FLOAT32))).sum().backward();
                // the running statistics differ after the forward (different data) ...
                ddp.forward(Torch.ones(5, 3)).sum().backward(); // ... until the next forward broadcasts rank 0's
                Map<String, float[]> out = new java.util.TreeMap<>();
                ddp.stateDict().forEach((k, v) -> out.put(k, v.to(dev.kindling.api.DType.FLOAT32).toFloatArray()));
                return out;
            }
        }));
        assertTrue(states.get(0).containsKey("module.1.running_mean"), states.get(0).keySet().toString());
        // after the second forward each rank updated rank 0's statistics with the same data: equal again
        for (String k : states.get(0).keySet()) assertArrayEquals(states.get(0).get(k), states.get(1).get(k), k);
    }
}
