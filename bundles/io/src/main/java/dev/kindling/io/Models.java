package dev.kindling.io;

import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.nn.StateDictException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Whole models: architecture and weights in one safetensors file. The weights are the state dict (so
 * {@code safetensors.torch.load_file} reads them as usual); the metadata records the model's class name under
 * {@code kindling.model_class} and, for models built from layer providers, its {@link ModelSpec} JSON under
 * {@code kindling.model_spec}. Loading never runs code of the file's choosing, and never uses Java serialisation:
 * <ul>
 * <li>a model describable as a ModelSpec (built-in layers, sequentials of them, layers of installed bundles) is
 *     rebuilt from its spec by provider names: {@link #load(Path)};</li>
 * <li>any other model, e.g. a custom {@code class Net extends Module}, is rebuilt by code the caller names, as
 *     PyTorch's {@code model = Net(); model.load_state_dict(...)}: {@code Net net = Models.load(path, Net::new)} checks
 *     that the file holds a {@code Net} and loads the weights strictly.</li>
 * </ul>
 */
public final class Models {
    public static final String SPEC_KEY = "kindling.model_spec";
    /** The metadata key of the saved model's class name ({@code Class.getName()}). */
    public static final String CLASS_KEY = "kindling.model_class";

    private Models() {}

    /**
     * Saves atomically: the state dict, the model's class name and, when the model can be described as a ModelSpec,
     * its spec. Any module can be saved; one without a spec is loaded with {@link #load(Path, Supplier)}.
     */
    public static void save(Module model, Path path) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put(CLASS_KEY, model.getClass().getName());
        String spec = specOrNull(model);
        if (spec != null) meta.put(SPEC_KEY, spec);
        Safetensors.save(model.stateDict(), meta, path);
    }

    private static String specOrNull(Module model) {
        try {
            return ModelSpec.of(model).toJson();
        } catch (IllegalArgumentException e) {
            return null; // a custom module: no provider describes it
        }
    }

    public static Module load(Path path) throws IOException { return load(path, Device.CPU); }

    /**
     * Rebuilds the model from its spec and loads the weights strictly. A file of a custom model class (no spec) is an
     * error that says to use {@link #load(Path, Supplier)}.
     */
    public static Module load(Path path, Device device) throws IOException {
        Safetensors.Contents c = Safetensors.read(path, Device.CPU);
        String spec = c.metadata().get(SPEC_KEY);
        if (spec == null) {
            String cls = c.metadata().get(CLASS_KEY);
            if (cls != null) {
                String simple = cls.substring(Math.max(cls.lastIndexOf('.'), cls.lastIndexOf('$')) + 1);
                throw new SafetensorsException(path, 8, "the file holds a model of class " + cls + ", which has no model spec; Kindling "
                        + "does not build classes named by a file. Build it with your own code and load the weights: Models.load(path, "
                        + simple + "::new)");
            }
            throw new SafetensorsException(path, 8, "no model architecture in the metadata (" + SPEC_KEY
                    + "): this is a plain state dict; build the model yourself and use Module.loadStateDict(Torch.load(path))"
                    + " or Models.load(path, YourModel::new)");
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

    /** {@code load(path, factory, Device.CPU)}. */
    public static <M extends Module> M load(Path path, Supplier<? extends M> factory) throws IOException {
        return load(path, factory, Device.CPU);
    }

    /**
     * Builds the model with {@code factory} (e.g. {@code Net::new}) and loads the file's weights into it strictly, as
     * PyTorch's {@code model = Net(); model.load_state_dict(torch.load(path))}; then moves it to {@code device} (in
     * place). Errors: the file records a different model class than the factory's; a key is missing or unexpected, or
     * a shape differs (PyTorch's wording, with the file's name). A plain state dict (no class recorded) is accepted.
     */
    public static <M extends Module> M load(Path path, Supplier<? extends M> factory, Device device) throws IOException {
        if (factory == null) throw new IllegalArgumentException("Models.load(path, factory): factory is null");
        Safetensors.Contents c = Safetensors.read(path, Device.CPU);
        M model = factory.get();
        if (model == null) throw new IllegalArgumentException("Models.load(path, factory): the factory returned null");
        String cls = c.metadata().get(CLASS_KEY);
        if (cls != null && !cls.equals(model.getClass().getName())) {
            throw new SafetensorsException(path, 8, "the file holds a model of class " + cls + ", but the factory built a "
                    + model.getClass().getName());
        }
        try {
            model.loadStateDict(c.tensors(), true);
        } catch (StateDictException e) {
            SafetensorsException x = new SafetensorsException(path, 8, "the weights in the file do not fit the "
                    + model.getClass().getName() + " the factory built: " + e.getMessage());
            x.initCause(e);
            throw x;
        }
        if (!device.isCpu()) model.to(device);
        return model;
    }

    /** The architecture stored in a model file, as JSON (null for a plain state dict or a custom model class). */
    public static String spec(Path path) throws IOException {
        return Safetensors.read(path, Device.CPU).metadata().get(SPEC_KEY);
    }

    /** The model class name stored in a model file (null for a plain state dict or a file saved before it was recorded). */
    public static String modelClass(Path path) throws IOException {
        return Safetensors.read(path, Device.CPU).metadata().get(CLASS_KEY);
    }
}
