/**
 * Data-parallel training across processes, as {@code torch.distributed}: {@link dev.kindling.distributed.Dist} (the
 * default process group and its collectives), {@link dev.kindling.distributed.ProcessGroup} with asynchronous
 * {@link dev.kindling.distributed.Work} handles, the rendezvous {@link dev.kindling.distributed.Store}s
 * ({@link dev.kindling.distributed.HashStore}, {@link dev.kindling.distributed.FileStore},
 * {@link dev.kindling.distributed.TcpStore}, {@link dev.kindling.distributed.PrefixStore}) and
 * {@link dev.kindling.distributed.DistributedDataParallel}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.distributed;
