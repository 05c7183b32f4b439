package dev.kindling.train.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.kernel.Kernel;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Model specs for the commands: the built-in {@code mlp} and {@code cnn} (ModelSpec JSON whose input and output sizes
 * follow the dataset), a spec JSON file, or inline spec JSON.
 *
 * <ul>
 *   <li>{@code mlp}: flatten, then linear + relu (+ dropout) per hidden size, then linear to the classes. Hidden size
 *       128, or 256 for inputs of 512 features or more: digits 64-128-10, Fashion-MNIST 784-256-10.</li>
 *   <li>{@code cnn}: per channel count (32, 64) a 3x3 convolution with padding 1, relu and 2x2 max pooling; then
 *       flatten, linear to 128, relu (+ dropout), linear to the classes: Fashion-MNIST conv(1-32)-conv(32-64)-3136-128-10.</li>
 * </ul>
 * Parameters: {@code hidden=256} or {@code hidden=512,256} (the MLP's hidden sizes, the CNN's one), {@code dropout=0.2},
 * {@code channels=32,64} (CNN).
 */
final class ModelFactory {
    static final List<String> BUILTINS = List.of("mlp", "cnn");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IMAGE_LAYERS = Set.of("conv2d", "maxpool2d", "avgpool2d", "adaptiveavgpool2d", "batchnorm2d");

    private ModelFactory() {}

    /** The spec text for a model argument that is not a built-in: inline JSON or a JSON file; null for a built-in. */
    static String specText(String arg, Path cwd) {
        String a = arg.trim();
        if (BUILTINS.contains(a.toLowerCase(Locale.ROOT))) return null;
        if (a.startsWith("[") || a.startsWith("{")) return a;
        Path p = cwd.resolve(a);
        if (Files.isRegularFile(p)) {
            try {
                return Files.readString(p);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the model spec " + p + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("unknown model '" + arg + "': use a built-in (" + String.join(", ", BUILTINS)
                + "), a model spec JSON file (no file " + p + "), or inline spec JSON in quotes, e.g. '[{\"type\":\"linear\",\"in\":64,\"out\":10}]'");
    }

    /** Whether the model takes [C, H, W] images: the cnn, or a spec whose first layer is a 2-d one. */
    static boolean wantsImages(String arg, Path cwd) {
        if (arg == null) return false; // a model with no spec (an ONNX file from elsewhere): fed as its dataset gives it
        String text = specText(arg, cwd);
        if (text == null) return arg.trim().equalsIgnoreCase("cnn");
        Map<String, Object> m = ModelSpec.fromJson(text).toMap();
        while ("sequential".equals(m.get("type")) && m.get("layers") instanceof List && !((List<?>) m.get("layers")).isEmpty()
                && ((List<?>) m.get("layers")).get(0) instanceof Map) {
            @SuppressWarnings("unchecked")
            Map<String, Object> firstLayer = (Map<String, Object>) ((List<?>) m.get("layers")).get(0);
            m = firstLayer;
        }
        return IMAGE_LAYERS.contains(String.valueOf(m.get("type")));
    }

    /** The spec JSON for a model argument and its parameters, sized for {@code inputShape} and {@code classes}. */
    static String spec(Kernel kernel, String arg, Map<String, Object> params, long[] inputShape, int classes, Path cwd) {
        String text = specText(arg, cwd);
        if (text != null) {
            if (params != null && !params.isEmpty()) {
                throw new IllegalArgumentException("model parameters " + params.keySet() + " are for the built-in models; edit the spec instead "
                        + "(dataset parameters go right after the dataset's name; optimizer ones after --optimizer NAME)");
            }
            ModelSpec spec = ModelSpec.fromJson(text); // valid JSON with "type"s
            checkTypes(kernel, spec.toMap(), null);
            return spec.toJson();
        }
        String name = arg.trim().toLowerCase(Locale.ROOT);
        Map<String, Object> p = params == null ? Map.of() : params;
        List<String> known = name.equals("mlp") ? List.of("hidden", "dropout") : List.of("hidden", "dropout", "channels");
        for (String k : p.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("model '" + name + "': unknown parameter '" + k + "'; it accepts: " + String.join(", ", known)
                        + " (dataset parameters go right after the dataset's name; optimizer ones after --optimizer NAME, or use --lr)");
            }
        }
        double dropout = p.containsKey("dropout") ? number(name, "dropout", p.get("dropout")) : 0;
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("model '" + name + "': parameter 'dropout' must be in [0, 1), got " + p.get("dropout"));
        List<Map<String, Object>> layers = new ArrayList<>();
        if (name.equals("mlp")) {
            long in = 1;
            for (long d : inputShape) in *= d;
            int[] hidden = p.containsKey("hidden") ? ints(name, "hidden", p.get("hidden")) : new int[] {in >= 512 ? 256 : 128};
            layers.add(layer("flatten"));
            long prev = in;
            for (int h : hidden) {
                layers.add(layer("linear", "in", prev, "out", h));
                layers.add(layer("relu"));
                if (dropout > 0) layers.add(layer("dropout", "p", dropout));
                prev = h;
            }
            layers.add(layer("linear", "in", prev, "out", classes));
        } else {
            if (inputShape.length != 3) {
                throw new IllegalArgumentException("model 'cnn' needs image inputs [C, H, W], but the samples are " + Arrays.toString(inputShape)
                        + " (use mlp, or a spec of your own)");
            }
            int[] channels = p.containsKey("channels") ? ints(name, "channels", p.get("channels")) : new int[] {32, 64};
            int[] hidden = p.containsKey("hidden") ? ints(name, "hidden", p.get("hidden")) : new int[] {128};
            if (hidden.length != 1) throw new IllegalArgumentException("model 'cnn': parameter 'hidden' is one size, got " + p.get("hidden"));
            long c = inputShape[0], h = inputShape[1], w = inputShape[2];
            for (int ch : channels) {
                if (h < 2 || w < 2) {
                    throw new IllegalArgumentException("model 'cnn': " + channels.length + " conv blocks halve " + inputShape[1] + "x" + inputShape[2]
                            + " images below 1x1; give fewer channels=...");
                }
                layers.add(layer("conv2d", "in", c, "out", ch, "kernel", 3, "padding", 1));
                layers.add(layer("relu"));
                layers.add(layer("maxpool2d", "kernel", 2));
                c = ch;
                h /= 2;
                w /= 2;
            }
            layers.add(layer("flatten"));
            layers.add(layer("linear", "in", c * h * w, "out", hidden[0]));
            layers.add(layer("relu"));
            if (dropout > 0) layers.add(layer("dropout", "p", dropout));
            layers.add(layer("linear", "in", hidden[0], "out", classes));
        }
        Map<String, Object> seq = new LinkedHashMap<>();
        seq.put("type", "sequential");
        seq.put("layers", layers);
        return ModelSpec.of(seq).toJson();
    }

    /** Every "type" in the spec names an installed layer (without building it: building draws random numbers). */
    private static void checkTypes(Kernel kernel, Object node, String path) {
        if (node instanceof List) {
            int i = 0;
            for (Object o : (List<?>) node) checkTypes(kernel, o, (path == null ? "" : path + ".") + "layers[" + i++ + "]");
            return;
        }
        if (!(node instanceof Map)) return;
        Map<?, ?> m = (Map<?, ?>) node;
        Object type = m.get("type");
        var layers = kernel.layers();
        if (type instanceof String && layers.find((String) type).isEmpty()) {
            throw new IllegalArgumentException((path == null ? "" : path + ": ") + "unknown layer type '" + type + "'; installed: "
                    + layers.all().stream().map(p -> p.name()).toList());
        }
        if (m.get("layers") != null) checkTypes(kernel, m.get("layers"), path);
    }

    private static Map<String, Object> layer(String type, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static double number(String model, String key, Object v) {
        try {
            return Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("model '" + model + "': parameter '" + key + "' must be a number, got '" + v + "'");
        }
    }

    private static int[] ints(String model, String key, Object v) {
        List<?> items = v instanceof List ? (List<?>) v : List.of(v);
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = Integer.parseInt(String.valueOf(items.get(i)).trim());
            } catch (NumberFormatException e) {
                out[i] = -1;
            }
            if (out[i] < 1) throw new IllegalArgumentException("model '" + model + "': parameter '" + key + "' must be positive integers, got '" + v + "'");
        }
        if (out.length == 0) throw new IllegalArgumentException("model '" + model + "': parameter '" + key + "' is empty");
        return out;
    }

    /**
     * Runs two samples through the model (eval mode, no gradients: it draws no random numbers) and checks that it gives
     * one score per class, so a spec that does not fit the data fails before training starts.
     */
    static void check(Module model, Dataset<Sample> data, int classes, String dataName) {
        int n = Math.min(2, data.size());
        List<Tensor> xs = new ArrayList<>();
        for (int i = 0; i < n; i++) xs.add(data.get(i).input());
        Tensor x = Torch.stack(xs, 0);
        boolean training = model.isTraining();
        model.eval();
        Tensor out;
        try (var g = Torch.noGrad()) {
            out = model.forward(x);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the model does not fit " + dataName + "'s inputs " + Arrays.toString(Arrays.copyOfRange(x.shape(), 1, x.dim()))
                    + ": " + e.getMessage(), e);
        } finally {
            model.train(training);
        }
        if (out.dim() != 2 || out.size(1) != classes) {
            throw new IllegalArgumentException("the model gives outputs of shape " + Arrays.toString(Arrays.copyOfRange(out.shape(), 1, out.dim()))
                    + " per sample, but " + dataName + " has " + classes + " classes: the last layer needs " + classes + " outputs");
        }
    }

    /** A one-line description of a spec: {@code flatten linear(64→128) relu linear(128→10)}. */
    static String summary(String specJson) {
        if (specJson == null) return "(no spec)";
        try {
            Object root = JSON.readValue(specJson, Object.class);
            StringBuilder sb = new StringBuilder();
            describe(root, sb);
            return sb.toString().trim();
        } catch (JsonProcessingException | RuntimeException e) {
            return specJson;
        }
    }

    private static void describe(Object node, StringBuilder sb) {
        if (node instanceof List) {
            for (Object o : (List<?>) node) describe(o, sb);
            return;
        }
        if (!(node instanceof Map)) return;
        Map<?, ?> m = (Map<?, ?>) node;
        Object type = m.get("type");
        if ("sequential".equals(type) && m.get("layers") instanceof List) {
            describe(m.get("layers"), sb);
            return;
        }
        sb.append(' ').append(type);
        List<String> parts = new ArrayList<>();
        if (m.containsKey("in") && m.containsKey("out")) parts.add(m.get("in") + "→" + m.get("out"));
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (k.equals("type") || (parts.size() > 0 && (k.equals("in") || k.equals("out")))) continue;
            parts.add(k + "=" + e.getValue());
        }
        if (!parts.isEmpty()) sb.append('(').append(String.join(",", parts)).append(')');
    }
}
