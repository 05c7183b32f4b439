package dev.kindling.io.internal;

import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.io.PyTorchFiles;
import dev.kindling.io.Safetensors;
import dev.kindling.io.SafetensorsException;
import dev.kindling.kernel.spi.TensorFormat;
import org.osgi.service.component.annotations.Component;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Offers Kindling's file formats to the kernel, for {@code Torch.save}/{@code Torch.load}. The file name chooses:
 * {@code .pt}, {@code .pth} and {@code .bin} are PyTorch checkpoints ({@link PyTorchFiles}), everything else is
 * safetensors. One component routes both, so the kernel's single highest-ranked format needs no SPI change.
 */
@Component(service = TensorFormat.class)
public class SafetensorsFormat implements TensorFormat {
    @Override public String name() { return "safetensors"; }

    @Override public int rank() { return 100; }

    @Override
    public void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path path) throws IOException {
        if (PyTorchFiles.isPyTorchName(path)) PyTorchFiles.save(tensors, path); // torch.save has no metadata
        else Safetensors.save(tensors, metadata, path);
    }

    @Override
    public Map<String, Tensor> load(Path path, Device device) throws IOException {
        if (PyTorchFiles.isPyTorchName(path)) return PyTorchFiles.load(path, device);
        try {
            return Safetensors.read(path, device).tensors();
        } catch (SafetensorsException e) {
            if (looksLikeTorchSave(path)) {
                throw new SafetensorsException(path, e.offset(), e.getMessage().substring(e.getMessage().indexOf(": ") + 2)
                        + " (the file looks like a torch.save checkpoint: name it .pt, .pth or .bin to load it as one)");
            }
            throw e;
        }
    }

    private static boolean looksLikeTorchSave(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] b = in.readNBytes(4);
            return b.length == 4 && (b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4 || (b[0] & 0xff) == 0x80 && b[1] == 2);
        } catch (IOException e) {
            return false;
        }
    }
}
