package dev.kindling.distributed;

import dev.kindling.api.Tensor;

import java.time.Duration;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The ranks of one job and the collectives among them ({@code torch.distributed.ProcessGroup}). Every rank must issue
 * the same collectives in the same order with tensors of the same shape and dtype; where they do not, every rank gets
 * a {@link DistributedException} naming the ranks and what each gave (unless the group was made with
 * {@code checkCollectives(false)}). Collectives run in issue order on one background thread per group; each returns a
 * {@link Work} handle. Results are bitwise identical on all ranks.
 *
 * <p>Tensors must be on the CPU and contiguous; they are reduced in place. After a failure the group is broken:
 * every later call fails at once.
 */
@ProviderType
public interface ProcessGroup extends AutoCloseable {
    int rank();

    int size();

    /** The backend's name: {@code gloo}, {@code local}, ... */
    String backend();

    Duration timeout();

    /** Combines {@code tensor} across ranks, in place. */
    Work allReduce(Tensor tensor, ReduceOp op);

    /** Combines a flat host buffer across ranks, in place (what {@link DistributedDataParallel}'s buckets use). */
    Work allReduce(float[] buffer, ReduceOp op);

    Work allReduce(double[] buffer, ReduceOp op);

    Work allReduce(long[] buffer, ReduceOp op);

    /** Copies rank {@code src}'s {@code tensor} into every other rank's, in place. */
    Work broadcast(Tensor tensor, int src);

    /** Fills {@code out} (one tensor per rank, each shaped like {@code in}) with every rank's {@code in}. */
    Work allGather(List<Tensor> out, Tensor in);

    /** Every rank's buffer, concatenated in rank order (length {@code size() * in.length}). */
    Work allGather(long[] in, long[] out);

    Work barrier();

    /** Whether a collective failed or the group was closed. */
    boolean isBroken();

    /** Leaves the group: waits for queued collectives, then releases the backend's connections. */
    @Override
    void close();
}
