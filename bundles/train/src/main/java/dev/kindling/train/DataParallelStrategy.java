package dev.kindling.train;

import dev.kindling.data.DataLoader;
import dev.kindling.data.DistributedSampler;
import dev.kindling.distributed.DdpOptions;
import dev.kindling.distributed.DistributedDataParallel;
import dev.kindling.distributed.Dist;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.distributed.ReduceOp;
import dev.kindling.nn.Module;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Data-parallel training with {@link DistributedDataParallel}: each rank trains a replica on its share of the data
 * (give the train loader a {@link DistributedSampler}; its epoch is set at every epoch), gradients are averaged over
 * ranks, skipped inside gradient-accumulation windows ({@code no_sync}). Epoch metrics are averaged over ranks
 * ({@code samples_per_second} summed), so callbacks such as early stopping decide the same on every rank; only rank
 * 0 runs the callbacks that write ({@link ModelCheckpoint}, {@link ProgressLogger}, {@link MetricLogger}), and the
 * ranks meet at a barrier after each epoch's callbacks. To resume, every rank passes rank 0's checkpoint to
 * {@code resumeFrom}; seed the ranks alike for a bit-exact resume.
 *
 * <p>Needs the kindling-distributed bundle (the train bundle imports it optionally).
 */
public final class DataParallelStrategy implements TrainingStrategy {
    private final ProcessGroup group;
    private final DdpOptions options;

    /** Over the default process group, with PyTorch's DDP defaults. */
    public DataParallelStrategy() { this(Dist.group()); }

    public DataParallelStrategy(ProcessGroup group) { this(group, DdpOptions.defaults()); }

    public DataParallelStrategy(ProcessGroup group, DdpOptions options) {
        this.group = group;
        this.options = options;
    }

    public ProcessGroup processGroup() { return group; }

    @Override
    public Module wrap(Module model) {
        DdpOptions.Builder b = DdpOptions.builder().processGroup(group).bucketCapMb(options.bucketCapBytes() / (double) (1 << 20))
                .firstBucketBytes(options.firstBucketBytes()).findUnusedParameters(options.findUnusedParameters())
                .broadcastBuffers(options.broadcastBuffers()).overlap(options.overlap());
        return new DistributedDataParallel(model, b.build());
    }

    @Override
    public boolean isMainProcess() { return group.rank() == 0; }

    @Override
    public boolean runsCallback(Callback c) {
        return isMainProcess() || !(c instanceof ModelCheckpoint || c instanceof ProgressLogger || c instanceof MetricLogger);
    }

    @Override
    public void onEpochBegin(DataLoader<?> train, int epoch) {
        if (train.sampler() instanceof DistributedSampler ds) ds.setEpoch(epoch);
    }

    @Override
    public void withoutGradientSync(Module wrapped, Runnable forwardBackward) {
        if (!(wrapped instanceof DistributedDataParallel ddp)) {
            forwardBackward.run();
            return;
        }
        try (var ns = ddp.noSync()) {
            forwardBackward.run();
        }
    }

    @Override
    public Map<String, Double> reduceMetrics(Map<String, Double> metrics) {
        double[] values = new double[metrics.size()];
        int i = 0;
        for (double v : metrics.values()) values[i++] = v;
        group.allReduce(values, ReduceOp.SUM).await();
        Map<String, Double> out = new LinkedHashMap<>();
        i = 0;
        for (String k : metrics.keySet()) {
            double sum = values[i++];
            out.put(k, k.equals("samples_per_second") ? sum : sum / group.size());
        }
        return out;
    }

    @Override
    public void onEpochEnd() { group.barrier().await(); }
}
