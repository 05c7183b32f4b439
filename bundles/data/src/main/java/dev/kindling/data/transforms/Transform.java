package dev.kindling.data.transforms;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A transform ({@code torchvision.transforms}): a function applied to each sample's input as it is read.
 * Implementations must be safe to call from several threads at once (DataLoader workers share them).
 *
 * @param <A> the input type (usually {@code Tensor})
 * @param <B> the output type (usually {@code Tensor})
 */
@ConsumerType
@FunctionalInterface
public interface Transform<A, B> {
    B apply(A input);

    /** This transform, then {@code next}. */
    default <C> Transform<A, C> andThen(Transform<? super B, ? extends C> next) {
        Transform<A, B> self = this;
        return new Transform<>() {
            @Override
            public C apply(A input) { return next.apply(self.apply(input)); }

            @Override
            public String toString() { return self + " -> " + next; }
        };
    }
}
