package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The ordered, immutable chain of {@link DispatchLayer}s of one kernel; the kernel swaps in a new chain when layers
 * come or go. {@link #dispatch} walks it from the top, skipping layers that do not intercept the op or are excluded on
 * this thread because they are running below themselves; the end of the chain is the op's forward.
 */
public final class DispatchChain {
    /** The layers excluded on one thread: those currently running the chain below themselves (a short stack). */
    public static final class ThreadState {
        private DispatchLayer[] excluded = new DispatchLayer[4];
        private int depth;

        boolean isExcluded(DispatchLayer layer) {
            for (int i = 0; i < depth; i++) if (excluded[i] == layer) return true;
            return false;
        }

        void push(DispatchLayer layer) {
            if (depth == excluded.length) excluded = Arrays.copyOf(excluded, depth * 2);
            excluded[depth++] = layer;
        }

        void pop() { excluded[--depth] = null; }
    }

    private final DispatchLayer[] layers;
    /** Each layer's {@link DispatchLayer#excludedBelow()}, asked once: the hot path reads the array. */
    private final boolean[] guarded;
    private final Rest[] below;
    private final ThreadLocal<ThreadState> state;

    private DispatchChain(DispatchLayer[] layers, ThreadLocal<ThreadState> state) {
        this.layers = layers;
        this.state = state;
        this.below = new Rest[layers.length];
        this.guarded = new boolean[layers.length];
        for (int i = 0; i < layers.length; i++) {
            below[i] = new Rest(i);
            guarded[i] = layers[i].excludedBelow();
        }
    }

    /** A chain with no layers, whose calls go straight to the forwards. */
    public static DispatchChain empty(ThreadLocal<ThreadState> state) { return new DispatchChain(new DispatchLayer[0], state); }

    /** This chain with {@code layer} added in rank order (after layers of equal rank). */
    public DispatchChain with(DispatchLayer layer) {
        List<DispatchLayer> all = new ArrayList<>(Arrays.asList(layers));
        all.add(layer);
        all.sort(Comparator.comparingInt(DispatchLayer::rank).reversed());
        return new DispatchChain(all.toArray(new DispatchLayer[0]), state);
    }

    /** This chain without {@code layer}. */
    public DispatchChain without(DispatchLayer layer) {
        List<DispatchLayer> all = new ArrayList<>(Arrays.asList(layers));
        all.remove(layer);
        return new DispatchChain(all.toArray(new DispatchLayer[0]), state);
    }

    /** The layers, highest rank first. */
    public List<DispatchLayer> layers() { return List.of(layers); }

    public boolean isEmpty() { return layers.length == 0; }

    /** Runs {@code op} through the chain. */
    public Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs) { return from(0, op, inputs, attrs); }

    private Tensor[] from(int start, OpDef op, Tensor[] inputs, Attrs attrs) {
        ThreadState st = null;
        for (int i = start; i < layers.length; i++) {
            DispatchLayer layer = layers[i];
            if (!layer.intercepts(op)) continue;
            if (guarded[i]) {
                if (st == null) st = state.get();
                if (st.isExcluded(layer)) continue;
            }
            return layer.dispatch(op, inputs, attrs, below[i]);
        }
        return op.forward(inputs, attrs);
    }

    /** The chain below position {@code index}; that layer is excluded on this thread while it runs. */
    private final class Rest implements DispatchLayer.Below {
        private final int index;

        Rest(int index) { this.index = index; }

        @Override
        public Tensor[] call(OpDef op, Tensor[] inputs, Attrs attrs) {
            attrs = op.bind(attrs); // a layer may pass down a call it rewrote
            if (!guarded[index]) {
                return index + 1 == layers.length ? op.forward(inputs, attrs) : from(index + 1, op, inputs, attrs);
            }
            ThreadState st = state.get();
            st.push(layers[index]);
            try {
                return from(index + 1, op, inputs, attrs);
            } finally {
                st.pop();
            }
        }
    }
}
