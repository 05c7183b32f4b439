package dev.kindling.io.internal;

import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.io.Safetensors;
import dev.kindling.kernel.spi.TensorFormat;
import org.osgi.service.component.annotations.Component;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Offers safetensors to the kernel, for {@code Torch.save}/{@code Torch.load}. */
@Component(service = TensorFormat.class)
public class SafetensorsFormat implements TensorFormat {
    @Override public String name() { return "safetensors"; }

    @Override public int rank() { return 100; }

    @Override
    public void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path path) throws IOException {
        Safetensors.save(tensors, metadata, path);
    }

    @Override
    public Map<String, Tensor> load(Path path, Device device) throws IOException {
        return Safetensors.read(path, device).tensors();
    }
}
