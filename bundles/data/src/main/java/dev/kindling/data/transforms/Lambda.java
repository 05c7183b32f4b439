package dev.kindling.data.transforms;

import java.util.function.Function;

/**
 * A user function as a transform ({@code transforms.Lambda}).
 *
 * @param <A> input type
 * @param <B> output type
 */
public final class Lambda<A, B> implements Transform<A, B> {
    private final Function<? super A, ? extends B> fn;

    public Lambda(Function<? super A, ? extends B> fn) {
        if (fn == null) throw new IllegalArgumentException("Lambda needs a function");
        this.fn = fn;
    }

    @Override
    public B apply(A input) { return fn.apply(input); }

    @Override
    public String toString() { return "Lambda()"; }
}
