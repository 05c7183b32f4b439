package dev.kindling.io;

import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.io.internal.TorchReader;
import dev.kindling.io.internal.TorchWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * PyTorch's own checkpoint format ({@code torch.save}/{@code torch.load}), for {@code .pt}, {@code .pth} and
 * {@code .bin} files. {@code Torch.save}/{@code Torch.load} use it for those names and safetensors for all others.
 *
 * <p>Writing produces the zip format that {@code torch.load(path, weights_only=True)} reads in PyTorch 1.13 and 2.x:
 * an {@code OrderedDict} of tensors, each storage written once (tensors that share storage still share it), strides
 * and offsets kept (non-contiguous tensors stay non-contiguous), atomically. Reading accepts what {@code torch.save}
 * writes for a state dict, a plain dict of tensors, or nested dicts/lists/tuples of tensors (flattened with dotted
 * keys: {@code {"enc": {"w": t}}} gives {@code enc.w}, lists give {@code name.0}, ...), in the zip format or the legacy
 * pre-1.6 format. Any other value (an int epoch, a string) is an error that names it. The pickle is read by an
 * allow-list unpickler (PyTorch's {@code weights_only} rules): only tensors, storages, {@code collections.OrderedDict},
 * {@code torch.Size} and plain containers and scalars are built; no code from the file ever runs. Every problem is a
 * {@link PyTorchFileException} naming the file, the zip entry and, in the pickle, the byte offset and opcode.
 */
public final class PyTorchFiles {
    private PyTorchFiles() {}

    /** Whether {@code Torch.save}/{@code Torch.load} treat this file name as a PyTorch checkpoint. */
    public static boolean isPyTorchName(Path path) {
        Path f = path.getFileName();
        if (f == null) return false;
        String n = f.toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".pt") || n.endsWith(".pth") || n.endsWith(".bin");
    }

    /** Writes {@code stateDict} (in its iteration order) atomically: on failure the old file stays as it was. */
    public static void save(Map<String, Tensor> stateDict, Path path) throws IOException { TorchWriter.save(stateDict, path); }

    /** Reads a checkpoint onto the CPU, in file order. */
    public static Map<String, Tensor> load(Path path) throws IOException { return load(path, Device.CPU); }

    /** Reads a checkpoint onto {@code device} ({@code map_location}), in file order. */
    public static Map<String, Tensor> load(Path path, Device device) throws IOException { return TorchReader.read(path, device); }
}
