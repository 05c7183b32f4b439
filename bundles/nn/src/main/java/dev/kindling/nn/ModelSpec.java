package dev.kindling.nn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kindling.kernel.ProviderRegistry;
import dev.kindling.kernel.spi.LayerProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.Provider;
import dev.kindling.nn.internal.KernelAccess;
import dev.kindling.nn.spi.AbstractLayerProvider;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's architecture as JSON: a layer description ({@code {"type":"conv2d","in":1,"out":32,"kernel":3,"padding":1}})
 * or a {@code {"type":"sequential","layers":[...]}} of them (nested sequentials allowed; a JSON array is short for a
 * sequential). Layers are created by name through the kernel's layer registry, so a layer from a third-party bundle
 * is found like a built-in one; unknown types and parameters are errors naming them and where they are.
 * <pre>{@code
 * Module model = ModelSpec.fromJson("[{\"type\":\"linear\",\"in\":784,\"out\":128}, {\"type\":\"relu\"}]").build();
 * String json = ModelSpec.of(model).toJson();   // {"type":"sequential","layers":[...]}
 * }</pre>
 * The spec holds no weights: save those with the state dict.
 */
public final class ModelSpec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    private final Map<String, Object> spec;

    private ModelSpec(Map<String, Object> spec) { this.spec = spec; }

    /** Parses a JSON layer description (an object with "type") or a JSON array of them (a sequential). */
    public static ModelSpec fromJson(String json) {
        Object root;
        try {
            root = JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("model spec is not valid JSON: " + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")", e);
        }
        if (root instanceof List) {
            Map<String, Object> seq = new LinkedHashMap<>();
            seq.put("type", "sequential");
            seq.put("layers", root);
            return of(seq);
        }
        if (!(root instanceof Map)) throw new IllegalArgumentException("model spec must be a JSON object with a \"type\" or an array of them, got: " + json);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) root;
        return of(map);
    }

    /** A spec from a JSON-like map ({@code "type"} and parameters; lists and maps nest). */
    public static ModelSpec of(Map<String, ?> spec) {
        if (!(spec.get("type") instanceof String)) throw new IllegalArgumentException("model spec needs a \"type\" (a layer name such as \"linear\"), got: " + spec);
        return new ModelSpec(normalized(spec));
    }

    /** Describes a built model (a layer, or a Sequential of them, nested allowed); parameters equal to the defaults are left out. */
    public static ModelSpec of(Module model) { return new ModelSpec(normalized(describe(model))); }

    /** A deep copy holding what JSON parsing gives (Integer/Long/Double, List, LinkedHashMap), so equal specs are equal maps. */
    private static Map<String, Object> normalized(Map<String, ?> spec) {
        try {
            return JSON.readValue(JSON.writeValueAsString(spec), MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("model spec values must be JSON values (numbers, strings, booleans, lists, maps): " + e.getOriginalMessage(), e);
        }
    }

    /** Builds the module tree; layers are created (and initialised) as their constructors do. */
    public Module build() { return build(toMap(), null); }

    /** The layer type of the root ("sequential", "linear", ...). */
    public String type() { return (String) spec.get("type"); }

    /** A copy of the description as nested maps and lists. */
    public Map<String, Object> toMap() { return normalized(spec); }

    /** Compact JSON. */
    public String toJson() { return write(false); }

    /** Indented JSON. */
    public String toPrettyJson() { return write(true); }

    private String write(boolean pretty) {
        try {
            return pretty ? JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(spec) : JSON.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write model spec as JSON", e);
        }
    }

    @Override
    public boolean equals(Object o) { return o instanceof ModelSpec && ((ModelSpec) o).spec.equals(spec); }

    @Override
    public int hashCode() { return spec.hashCode(); }

    @Override
    public String toString() { return toJson(); }

    // ------------------------------------------------------------------------------------------------ for providers

    /**
     * Creates one module from its description through the kernel's layer registry (used by container providers such as
     * "sequential" for their children).
     *
     * @param path where the description sits, for error messages (e.g. {@code layers[2]}); null at the root
     */
    public static Module build(Map<String, Object> description, String path) {
        Object type = description.get("type");
        if (!(type instanceof String)) {
            throw new IllegalArgumentException(at(path, "missing \"type\" (a layer name such as \"linear\") in " + description));
        }
        ProviderRegistry<LayerProvider<?>> layers = KernelAccess.kernel().layers();
        LayerProvider<?> provider = layers.find((String) type).orElseThrow(() -> new IllegalArgumentException(at(path, "unknown layer type '" + type
                + "'; installed: " + layers.all().stream().map(Provider::name).toList())));
        Map<String, Object> params = new LinkedHashMap<>(description);
        params.remove("type");
        Object created;
        try {
            created = provider.create(params);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at(path, e.getMessage()), e);
        }
        if (!(created instanceof Module)) {
            throw new IllegalArgumentException(at(path, "layer '" + type + "' created " + (created == null ? "null" : created.getClass().getName())
                    + ", not an nn Module"));
        }
        return (Module) created;
    }

    private static String at(String path, String message) {
        if (path == null) return message;
        return message.startsWith("layers[") ? path + "." + message : path + ": " + message;
    }

    /**
     * The description of one module: its provider's name as "type" and the parameters that differ from the defaults.
     * The module's class must have an installed {@link AbstractLayerProvider}.
     */
    public static Map<String, Object> describe(Module module) {
        AbstractLayerProvider<?> provider = null;
        for (LayerProvider<?> p : KernelAccess.kernel().layers().all()) {
            if (p instanceof AbstractLayerProvider && ((AbstractLayerProvider<?>) p).type() == module.getClass()) provider = (AbstractLayerProvider<?>) p;
        }
        if (provider == null) {
            throw new IllegalArgumentException("no installed layer provider describes " + module.getClass().getName() + ": a model spec can hold "
                    + "built-in layers, sequentials of them, and layers whose bundle registers an AbstractLayerProvider");
        }
        Map<String, Object> values = provider.describeModule(module);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", provider.name());
        for (ParameterSpec p : provider.parameters()) {
            if (!values.containsKey(p.name())) continue;
            Object v = values.get(p.name());
            if (p.required() || !sameValue(v, p.defaultValue())) out.put(p.name(), v);
        }
        return out;
    }

    private static boolean sameValue(Object a, Object b) {
        if (a instanceof Number && b instanceof Number) return ((Number) a).doubleValue() == ((Number) b).doubleValue();
        if (a instanceof List && b instanceof List) {
            List<?> x = (List<?>) a, y = (List<?>) b;
            if (x.size() != y.size()) return false;
            Iterator<?> i = x.iterator(), j = y.iterator();
            while (i.hasNext()) if (!sameValue(i.next(), j.next())) return false;
            return true;
        }
        return Objects.equals(a, b);
    }
}
