package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One layer of the dispatch chain that every op call runs through before its forward: autocast, autograd, tracing,
 * profiling. Layers are services (ServiceLoader outside OSGi); the chain orders them by {@link #rank()}, highest first,
 * as PyTorch orders its dispatch keys (autocast 300 above autograd 200 above a tracer 100), and ends at the op's
 * forward, which calls the backend.
 *
 * <p>A layer handles a call or passes it down with {@link Below#call}. While the calls below it run, the layer is
 * excluded on this thread, so the ops a forward (or a lower layer) dispatches do not come back to it: PyTorch's
 * "redispatch below this key". Calls the layer makes itself, before or after passing down, go through the whole
 * chain. With no layer installed a call goes straight to the forward.
 */
@ConsumerType
public interface DispatchLayer {
    /** Autocast's place in the chain. */
    int AUTOCAST = 300;
    /** Autograd's place in the chain. */
    int AUTOGRAD = 200;
    /** A tracer's place: below autograd, so it sees each op once, as the user called it. */
    int TRACER = 100;

    /** When the kernel links a layer into its chain. */
    enum Activation {
        /** From the moment the layer is added. */
        ALWAYS,
        /** Only while some thread has an enabled autocast region open: autocast costs nothing when unused. */
        WHILE_AUTOCASTING
    }

    /** When this layer is in the chain (always, unless it says otherwise). */
    default Activation activation() { return Activation.ALWAYS; }

    /** The layer's place: higher ranks see a call first. */
    int rank();

    /** A name for diagnostics ({@code kindling:info}). */
    default String name() { return getClass().getSimpleName(); }

    /** Whether the layer wants calls of {@code op} at all; a cheap, stateless test (by kind or name). */
    default boolean intercepts(OpDef op) { return true; }

    /**
     * Whether the chain keeps the calls made below this layer away from it (the default). A layer that guards its own
     * re-entry, as autograd does through grad mode, answers false and saves that bookkeeping on every call.
     */
    default boolean excludedBelow() { return true; }

    /** Handles the call: returns the op's outputs, usually by passing it (or a rewritten call) {@code below}. */
    Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs, Below below);

    /** The rest of the chain below a layer. */
    @FunctionalInterface
    interface Below {
        Tensor[] call(OpDef op, Tensor[] inputs, Attrs attrs);
    }
}
