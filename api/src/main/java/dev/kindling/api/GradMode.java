package dev.kindling.api;

/** Restores the previous grad mode when closed: {@code try (var g = Torch.noGrad()) { ... }}. */
public interface GradMode extends AutoCloseable {
    @Override
    void close();
}
