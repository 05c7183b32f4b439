package dev.kindling.distributed.mpi;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.distributed.DistributedDataParallel;
import dev.kindling.distributed.Dist;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.distributed.ReduceOp;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.functional.F;
import dev.kindling.optim.SGD;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A rank under mpirun: collectives and 20 DDP steps over the mpi backend; prints what the test checks. */
public final class MpiJob {
    public static void main(String[] args) {
        ProcessGroup pg = Dist.initProcessGroup("mpi");
        int rank = pg.rank(), world = pg.size();
        Tensor t = Torch.full(new long[] {3}, rank + 1.0);
        Dist.allReduce(t, ReduceOp.SUM);
        Tensor b = Torch.full(new long[] {2}, rank);
        Dist.broadcast(b, world - 1);
        List<Tensor> g = new ArrayList<>();
        for (int r = 0; r < world; r++) g.add(Torch.zeros(1));
        Dist.allGather(g, Torch.full(new long[] {1}, rank * 10.0));
        Dist.barrier();
        float[] gathered = new float[world];
        for (int r = 0; r < world; r++) gathered[r] = g.get(r).toFloatArray()[0];
        System.out.println("COLLECTIVES rank=" + rank + " sum=" + Arrays.toString(t.toFloatArray()) + " bcast="
                + Arrays.toString(b.toFloatArray()) + " gather=" + Arrays.toString(gathered));

        Torch.manualSeed(3 + rank);
        Module model = new Sequential(new Linear(8, 16), new ReLU(), new Linear(16, 2));
        DistributedDataParallel ddp = new DistributedDataParallel(model);
        SGD opt = new SGD(ddp.parameters(), 0.1);
        for (int step = 0; step < 20; step++) {
            Torch.manualSeed(100 + step * world + rank);
            opt.zeroGrad();
            F.mseLoss(ddp.forward(Torch.randn(4, 8)), Torch.randn(4, 2)).backward();
            opt.step();
        }
        StringBuilder sb = new StringBuilder();
        for (Tensor p : model.parameters()) sb.append(Arrays.hashCode(p.toFloatArray())).append(',');
        System.out.println("PARAMS rank=" + rank + " " + sb);
        Dist.destroyProcessGroup();
    }
}
