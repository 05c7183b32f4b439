package dev.kindling.data;

import dev.kindling.api.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Wraps tensors that share their first dimension ({@code torch.utils.data.TensorDataset}): sample {@code i} is the
 * list of {@code t.get(i)} for each tensor, as PyTorch's tuple. The default collate stacks each position, so with
 * {@code new TensorDataset(x, y)} a batch's {@link Batch#inputs()} are rows of {@code x} and {@link Batch#targets()}
 * rows of {@code y}.
 */
public final class TensorDataset implements Dataset<List<Tensor>> {
    private final List<Tensor> tensors;
    private final int size;

    public TensorDataset(Tensor... tensors) {
        if (tensors.length == 0) throw new IllegalArgumentException("TensorDataset needs at least one tensor");
        for (Tensor t : tensors) {
            if (t == null) throw new IllegalArgumentException("TensorDataset got a null tensor");
            if (t.dim() == 0) throw new IllegalArgumentException("TensorDataset needs tensors of at least one dimension, got a 0-dim tensor");
            if (t.size(0) != tensors[0].size(0)) {
                throw new IllegalArgumentException("Size mismatch between tensors: " + Arrays.toString(tensors[0].shape())
                        + " and " + Arrays.toString(t.shape()) + " differ in their first dimension");
            }
        }
        if (tensors[0].size(0) > Integer.MAX_VALUE) throw new IllegalArgumentException("TensorDataset is limited to 2^31-1 samples");
        this.tensors = List.of(tensors);
        this.size = (int) tensors[0].size(0);
    }

    /** The wrapped tensors. */
    public List<Tensor> tensors() { return tensors; }

    @Override
    public int size() { return size; }

    @Override
    public List<Tensor> get(int index) {
        if (index < 0 || index >= size) throw Dataset.outOfRange(index, size);
        List<Tensor> out = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) out.add(t.get(index));
        return Collections.unmodifiableList(out);
    }
}
