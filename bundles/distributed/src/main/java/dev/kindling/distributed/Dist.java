package dev.kindling.distributed;

import dev.kindling.api.Tensor;
import dev.kindling.distributed.internal.Rendezvous;

import java.util.List;

/**
 * {@code torch.distributed}'s functions over the default process group. A process has one default group, as in
 * PyTorch; with the {@code local} backend, whose ranks are threads, each rank thread (and the threads it starts) has
 * its own. The collectives here are synchronous ({@code async_op=False}); {@link #allReduceAsync} and the
 * {@link ProcessGroup} methods return {@link Work} handles.
 */
public final class Dist {
    private static final InheritableThreadLocal<ProcessGroup> THREAD_GROUP = new InheritableThreadLocal<>();
    private static volatile ProcessGroup processGroup;

    private Dist() {}

    /** {@code init_process_group(backend)} with PyTorch's env:// contract: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT. */
    public static ProcessGroup initProcessGroup(String backend) {
        return initProcessGroup(InitOptions.builder().backend(backend).build());
    }

    public static ProcessGroup initProcessGroup(InitOptions options) {
        boolean threadScoped = options.backend().equalsIgnoreCase("local");
        ProcessGroup broken;
        synchronized (Dist.class) {
            ProcessGroup existing = threadScoped ? THREAD_GROUP.get() : processGroup;
            if (existing != null && !existing.isBroken()) {
                throw new IllegalStateException("the default process group is already initialized (" + existing + "); call destroyProcessGroup() first");
            }
            broken = existing;
        }
        if (broken != null) broken.close(); // a failed group still holds its store and connections
        ProcessGroup pg = Rendezvous.initProcessGroup(options);
        synchronized (Dist.class) {
            if (threadScoped) THREAD_GROUP.set(pg);
            else processGroup = pg;
        }
        return pg;
    }

    /** Creates a group without making it the default one (several groups need different group names or stores). */
    public static ProcessGroup newProcessGroup(InitOptions options) { return Rendezvous.initProcessGroup(options); }

    public static boolean isInitialized() { return current() != null; }

    /** The default group; throws if there is none. */
    public static ProcessGroup group() {
        ProcessGroup pg = current();
        if (pg == null) throw new IllegalStateException("Default process group has not been initialized, please make sure to call Dist.initProcessGroup");
        return pg;
    }

    private static ProcessGroup current() {
        ProcessGroup t = THREAD_GROUP.get();
        return t != null ? t : processGroup;
    }

    public static int getRank() { return group().rank(); }

    public static int getWorldSize() { return group().size(); }

    public static String getBackend() { return group().backend(); }

    public static void allReduce(Tensor tensor, ReduceOp op) { group().allReduce(tensor, op).await(); }

    /** {@code all_reduce(t)}: SUM. */
    public static void allReduce(Tensor tensor) { allReduce(tensor, ReduceOp.SUM); }

    public static Work allReduceAsync(Tensor tensor, ReduceOp op) { return group().allReduce(tensor, op); }

    public static void broadcast(Tensor tensor, int src) { group().broadcast(tensor, src).await(); }

    public static void allGather(List<Tensor> out, Tensor in) { group().allGather(out, in).await(); }

    public static void barrier() { group().barrier().await(); }

    /** Destroys the default group (this thread's, for {@code local}). */
    public static void destroyProcessGroup() {
        ProcessGroup pg;
        synchronized (Dist.class) {
            pg = THREAD_GROUP.get();
            if (pg != null) THREAD_GROUP.remove();
            else {
                pg = processGroup;
                processGroup = null;
            }
        }
        if (pg != null) pg.close();
    }
}
