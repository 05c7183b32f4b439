package dev.kindling.data;

import dev.kindling.api.Tensor;

import java.util.Objects;

/**
 * One labelled example, what the readers in {@code dev.kindling.datasets} return: an input (an image or a feature
 * vector) and a target (a 0-dim INT64 class index for classification). The default collate turns a list of samples
 * into a {@link Batch} whose {@link Batch#inputs()} and {@link Batch#targets()} are the stacked tensors.
 */
public record Sample(Tensor input, Tensor target) {
    public Sample {
        Objects.requireNonNull(input, "input");
    }
}
