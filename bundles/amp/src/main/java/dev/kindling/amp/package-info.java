/**
 * Mixed precision: {@link dev.kindling.amp.GradScaler} (PyTorch's {@code torch.amp.GradScaler}); autocast regions
 * themselves are opened with {@code Torch.autocast}, and this bundle's dispatch layer applies the per-op policies.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.amp;
