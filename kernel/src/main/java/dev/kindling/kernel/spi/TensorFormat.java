package dev.kindling.kernel.spi;

import dev.kindling.api.Device;
import dev.kindling.api.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A file format for named tensors (safetensors). {@code Torch.save}/{@code Torch.load} use the installed format with
 * the highest rank; an io bundle registers it (Declarative Services, ServiceLoader outside OSGi).
 */
// Implemented by format bundles (io); the kernel calls it.
@ConsumerType
public interface TensorFormat {
    /** e.g. {@code safetensors}. */
    String name();

    int rank();

    /** Writes atomically: a crash never leaves a partial file at {@code path}. */
    void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path path) throws IOException;

    /** Reads every tensor (in file order) onto {@code device}. */
    Map<String, Tensor> load(Path path, Device device) throws IOException;
}
