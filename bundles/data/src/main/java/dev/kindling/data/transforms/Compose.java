package dev.kindling.data.transforms;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies transforms one after the other ({@code transforms.Compose}).
 *
 * @param <T> the type each transform takes and returns (usually {@code Tensor})
 */
public final class Compose<T> implements Transform<T, T> {
    private final List<Transform<T, T>> transforms;

    @SafeVarargs
    public Compose(Transform<T, T>... transforms) {
        List<Transform<T, T>> list = new ArrayList<>(transforms.length);
        for (Transform<T, T> t : transforms) list.add(t);
        this.transforms = checked(list);
    }

    public Compose(List<? extends Transform<T, T>> transforms) { this.transforms = checked(transforms); }

    private static <T> List<Transform<T, T>> checked(List<? extends Transform<T, T>> transforms) {
        for (Transform<T, T> t : transforms) if (t == null) throw new IllegalArgumentException("Compose got a null transform");
        return List.copyOf(transforms);
    }

    public List<Transform<T, T>> transforms() { return transforms; }

    @Override
    public T apply(T input) {
        T x = input;
        for (Transform<T, T> t : transforms) x = t.apply(x);
        return x;
    }

    /** As torchvision prints it. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Compose(");
        for (Transform<T, T> t : transforms) sb.append("\n    ").append(t);
        return sb.append("\n)").toString();
    }
}
