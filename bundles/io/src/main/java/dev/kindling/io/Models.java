package dev.kindling.io;

import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whole models: architecture and weights in one safetensors file. The weights are the state dict (so
 * {@code safetensors.torch.load_file} reads them as usual); the architecture is the model's {@link ModelSpec} JSON in
 * the file's metadata under {@code kindling.model_spec}. Loading builds the model from the spec by provider names
 * only: a file can never make Kindling run code of its choosing. Never Java serialisation.
 */
public final class Models {
    public static final String SPEC_KEY = "kindling.model_spec";

    private Models() {}

    /** Saves atomically. The model must be describable as a ModelSpec (built from registered layer providers). */
    public static void save(Module model, Path path) throws IOException {
        String spec = ModelSpec.of(model).toJson();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put(SPEC_KEY, spec);
        Safetensors.save(model.stateDict(), meta, path);
    }

    public static Module load(Path path) throws IOException { return load(path, Device.CPU); }

    /** Rebuilds the model from its spec and loads the weights strictly. */
    public static Module load(Path path, Device device) throws IOException {
        Safetensors.Contents c = Safetensors.read(path, Device.CPU);
        String spec = c.metadata().get(SPEC_KEY);
        if (spec == null) {
            throw new SafetensorsException(path, 8, "no model architecture in the metadata (" + SPEC_KEY
                    + "): this is a plain state dict; build the model yourself and use Module.loadStateDict(Torch.load(path))");
        }
        Module model;
        try {
            model = ModelSpec.fromJson(spec).build();
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(path, 8, "cannot build the model described in the file: " + e.getMessage());
        }
        Map<String, Tensor> weights = c.tensors();
        model.loadStateDict(weights, true);
        return device.isCpu() ? model : model.to(device);
    }

    /** The architecture stored in a model file, as JSON (null for a plain state dict). */
    public static String spec(Path path) throws IOException {
        return Safetensors.read(path, Device.CPU).metadata().get(SPEC_KEY);
    }
}
