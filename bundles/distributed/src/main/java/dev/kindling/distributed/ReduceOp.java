package dev.kindling.distributed;

/** How {@code allReduce} combines the ranks' tensors ({@code torch.distributed.ReduceOp}). */
public enum ReduceOp {
    SUM, AVG, PRODUCT, MIN, MAX
}
