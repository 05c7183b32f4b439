package dev.kindling.api.spi;

import dev.kindling.api.Tensor;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The part of autograd reachable from the static API; supplied by the autograd bundle through the kernel. */
// Implemented by the autograd bundle, the provider of this seam; the static API calls it.
@ProviderType
public interface AutogradService {
    List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                      boolean retainGraph, boolean createGraph, boolean allowUnused);

    boolean gradcheck(java.util.function.Function<Tensor[], Tensor> fn, Tensor[] inputs, double eps, double atol, double rtol);
}
