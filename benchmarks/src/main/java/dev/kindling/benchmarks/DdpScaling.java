package dev.kindling.benchmarks;

import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.distributed.DdpOptions;
import dev.kindling.distributed.DistributedDataParallel;
import dev.kindling.distributed.Dist;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.functional.F;
import dev.kindling.optim.SGD;

/**
 * Data-parallel scaling of an MLP 784-512-512-10 (the model): run it as one plain process, or as N ranks
 * under kindling-run with DDP over gloo; rank 0 prints the global throughput. Scaling efficiency is
 * throughput(N ranks) / (N x throughput(1 process)). benchmarks/run-ddp-scaling.sh runs the whole comparison,
 * PyTorch DDP on gloo included (benchmarks/pytorch_ddp.py).
 * Args: steps warmup batchPerRank overlap(true|false|nosync: no gradient communication at all, which measures what
 * running N processes side by side costs by itself)
 */
public final class DdpScaling {
    private DdpScaling() {}

    public static void main(String[] args) {
        int steps = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        boolean noSync = args[3].equals("nosync");
        boolean overlap = noSync || Boolean.parseBoolean(args[3]);
        boolean distributed = System.getenv("WORLD_SIZE") != null && Integer.parseInt(System.getenv("WORLD_SIZE")) > 1;
        ProcessGroup pg = distributed ? Dist.initProcessGroup("gloo") : null;
        int rank = distributed ? pg.rank() : 0, world = distributed ? pg.size() : 1;

        Torch.manualSeed(0);
        Module model = new Sequential(new Linear(784, 512), new ReLU(), new Linear(512, 512), new ReLU(), new Linear(512, 10));
        Module net = distributed ? new DistributedDataParallel(model, DdpOptions.builder().overlap(overlap).build()) : model;
        SGD opt = new SGD(net.parameters(), 0.01);
        Generator g = new Generator(100 + rank);
        Tensor x = Torch.randn(g, batch, 784);
        Tensor y = Torch.randint(0, 10, new long[] {batch}, g);

        long t0 = 0;
        for (int s = 0; s < warmup + steps; s++) {
            if (s == warmup) {
                if (distributed) pg.barrier().await();
                t0 = System.nanoTime();
            }
            opt.zeroGrad();
            if (noSync && net instanceof DistributedDataParallel ddp) {
                try (var ns = ddp.noSync()) {
                    F.crossEntropy(net.forward(x), y).backward();
                }
            } else {
                F.crossEntropy(net.forward(x), y).backward();
            }
            opt.step();
        }
        if (distributed) pg.barrier().await();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (rank == 0) {
            System.out.printf("kindling world=%d overlap=%s batch/rank=%d steps=%d: %.1f samples/s (%.2f ms/step)%n",
                    world, !distributed ? "-" : noSync ? "nosync" : overlap, batch, steps, (double) world * batch * steps / seconds, 1000 * seconds / steps);
        }
        if (distributed) Dist.destroyProcessGroup();
    }
}
