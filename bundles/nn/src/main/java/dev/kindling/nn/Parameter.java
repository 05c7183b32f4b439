package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.internal.KernelAccess;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * PyTorch's {@code nn.Parameter}: marks a tensor as a module parameter. A {@link Module} subclass's field that holds
 * one is registered under the field's name, as PyTorch's {@code self.scale = nn.Parameter(torch.ones(1))}:
 * <pre>{@code
 * class Net extends Module {
 *     Tensor scale = Parameter.of(Torch.ones(1));
 *     Linear fc = new Linear(4, 2);
 *     public Tensor forward(Tensor x) { return fc.forward(x).mul(scale); }
 * }
 * }</pre>
 * As in PyTorch, the parameter is a new tensor that shares the given tensor's storage, is a leaf, and requires grad
 * (when autograd is installed and the dtype is floating point). Tensors registered with
 * {@link Module#registerParameter(String, Tensor)} are parameters too.
 */
public final class Parameter {
    // weak keys, so a mark never keeps a tensor alive (tensors compare by identity); dies with this bundle's class loader
    private static final Set<Tensor> MARKED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private Parameter() {}

    /** {@code nn.Parameter(data)}: a leaf sharing {@code data}'s storage that requires grad. */
    public static Tensor of(Tensor data) { return of(data, true); }

    /** {@code nn.Parameter(data, requires_grad)}. */
    public static Tensor of(Tensor data, boolean requiresGrad) {
        if (data == null) throw new IllegalArgumentException("Parameter.of(null): a parameter needs a tensor (leave the field null for an absent one)");
        Tensor p = data.detach();
        if (requiresGrad && p.dtype().isFloatingPoint() && KernelAccess.autogradAvailable()) p.requiresGrad_(true);
        mark(p);
        return p;
    }

    /** True for tensors made by {@link #of(Tensor)} or registered as a module parameter. */
    public static boolean isParameter(Tensor t) { return t != null && MARKED.contains(t); }

    static void mark(Tensor t) { if (t != null) MARKED.add(t); }
}
