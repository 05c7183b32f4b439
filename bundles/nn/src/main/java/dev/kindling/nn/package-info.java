/**
 * Neural networks, as PyTorch's {@code torch.nn}: {@link dev.kindling.nn.Module}, layers, losses,
 * {@link dev.kindling.nn.init} and {@link dev.kindling.nn.ModelSpec} (JSON model descriptions).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package dev.kindling.nn;
