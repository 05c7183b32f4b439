package dev.kindling.api;

import org.osgi.annotation.versioning.ProviderType;

/** Restores the previous grad mode when closed: {@code try (var g = Torch.noGrad()) { ... }}. */
@ProviderType
public interface GradMode extends AutoCloseable {
    @Override
    void close();
}
