package dev.kindling.data.spi;

import dev.kindling.api.Tensor;
import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.data.transforms.Transform;
import dev.kindling.kernel.spi.DatasetProvider;
import dev.kindling.kernel.spi.ParameterSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A dataset provider that names its parameters once: {@link #create(Map)} rejects unknown parameters and missing
 * required ones (naming them), fills in defaults, and {@link Params} converts values given as strings (as the shell
 * passes them) to booleans, integers, paths and lists.
 *
 * <p>Defaults can come from Configuration Admin: a provider component with {@code configurationPid =}
 * {@value #CONFIGURATION_PID} passes its configuration to {@link #configure(Map)}, whose keys
 * {@code <dataset>.<parameter>} (e.g. {@code fashion-mnist.root=/data/fmnist}) replace that parameter's default, a
 * required one included, while the configuration lasts.
 */
// Extended by dataset bundles, third-party ones included.
@ConsumerType
public abstract class AbstractDatasetProvider implements DatasetProvider<Dataset<Sample>> {
    /** The conventional transform parameter: a {@code Transform<Tensor, Tensor>} object, applied to each input. */
    public static final ParameterSpec TRANSFORM = ParameterSpec.optional("transform", "Transform", null,
            "applied to each sample's input (a Transform<Tensor,Tensor>)");
    /** The conventional target transform parameter. */
    public static final ParameterSpec TARGET_TRANSFORM = ParameterSpec.optional("targetTransform", "Transform", null,
            "applied to each sample's target (a Transform<Tensor,Tensor>)");

    /** The PID whose {@code <dataset>.<parameter>} keys set parameter defaults (see {@link #configure(Map)}). */
    public static final String CONFIGURATION_PID = "dev.kindling.datasets";
    private static final System.Logger LOG = System.getLogger(CONFIGURATION_PID);

    private final String name;
    private final String description;
    private final List<ParameterSpec> declared;
    /** The parameters with the configured defaults in place; replaced as a whole by {@link #configure(Map)}. */
    private volatile List<ParameterSpec> parameters;

    protected AbstractDatasetProvider(String name, String description, ParameterSpec... parameters) {
        this.name = name;
        this.description = description;
        this.declared = List.of(parameters);
        this.parameters = this.declared;
    }

    /**
     * Takes the defaults a configuration of {@value #CONFIGURATION_PID} gives this dataset ({@code <name>.<parameter>}
     * keys; other keys belong to other datasets); a key it no longer has returns to the declared default. A value that
     * is not of the parameter's type is logged with the PID, key and allowed values, and the previous default stays.
     */
    protected final void configure(Map<String, ?> configuration) {
        List<ParameterSpec> before = parameters;
        List<ParameterSpec> next = new ArrayList<>();
        for (int i = 0; i < declared.size(); i++) {
            ParameterSpec d = declared.get(i);
            String key = name + "." + d.name();
            Object v = configuration == null ? null : configuration.get(key);
            if (v == null || v.toString().isBlank()) {
                next.add(d);
                continue;
            }
            String problem = typeProblem(d.type(), v);
            if (problem != null) {
                ParameterSpec kept = before.get(i);
                LOG.log(System.Logger.Level.ERROR, CONFIGURATION_PID + ": " + key + "=" + v + " rejected: allowed values are " + problem
                        + "; keeping " + key + "=" + kept.defaultValue());
                next.add(kept);
                continue;
            }
            next.add(ParameterSpec.optional(d.name(), d.type(), v.toString().trim(), d.description()));
        }
        parameters = List.copyOf(next);
    }

    /** Null when {@code v} suits a parameter of {@code type}, else the values that would. */
    private static String typeProblem(String type, Object v) {
        String s = v.toString().trim();
        switch (type) {
            case "boolean":
                return s.matches("(?i)true|false|yes|no|1|0") ? null : "true or false";
            case "int":
            case "integer":
                return s.matches("-?\\d+") ? null : "whole numbers";
            case "path":
                try {
                    Path.of(s);
                    return null;
                } catch (java.nio.file.InvalidPathException e) {
                    return "a file or folder path (" + e.getReason() + ")";
                }
            case "Transform":
                return "none: a transform is an object, given in code";
            default:
                return null;
        }
    }

    @Override
    public final String name() { return name; }

    @Override
    public final String description() { return description; }

    @Override
    public final List<ParameterSpec> parameters() { return parameters; }

    @Override
    public final Dataset<Sample> create(Map<String, Object> given) {
        Map<String, Object> in = given == null ? Map.of() : given;
        List<ParameterSpec> parameters = this.parameters;
        Map<String, ParameterSpec> specs = new LinkedHashMap<>();
        for (ParameterSpec p : parameters) specs.put(p.name(), p);
        TreeSet<String> unknown = new TreeSet<>(in.keySet());
        unknown.removeAll(specs.keySet());
        List<String> missing = new ArrayList<>();
        for (ParameterSpec p : parameters) if (p.required() && in.get(p.name()) == null) missing.add(p.name());
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            StringBuilder sb = new StringBuilder("dataset '" + name + "': ");
            if (!missing.isEmpty()) sb.append("missing required parameter").append(missing.size() > 1 ? "s " : " ").append(missing);
            if (!unknown.isEmpty()) {
                if (!missing.isEmpty()) sb.append("; ");
                sb.append("unknown parameter").append(unknown.size() > 1 ? "s " : " ").append(unknown);
            }
            sb.append(" (accepted: ").append(parameters).append(')');
            throw new IllegalArgumentException(sb.toString());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParameterSpec p : parameters) values.put(p.name(), in.containsKey(p.name()) && in.get(p.name()) != null ? in.get(p.name()) : p.defaultValue());
        return create(new Params(name, values));
    }

    @Override
    public String toString() { return "dataset provider '" + name + "' " + parameters; }

    /** Creates the dataset from checked parameters (defaults filled in). */
    protected abstract Dataset<Sample> create(Params params);

    /** Parameter values with type conversion; errors name the dataset and the parameter. */
    public static final class Params {
        private final String dataset;
        private final Map<String, Object> values;

        Params(String dataset, Map<String, Object> values) {
            this.dataset = dataset;
            this.values = values;
        }

        public Object raw(String name) { return values.get(name); }

        public boolean has(String name) { return values.get(name) != null; }

        public String string(String name) {
            Object v = values.get(name);
            return v == null ? null : v.toString();
        }

        public Path path(String name) {
            Object v = values.get(name);
            if (v == null) return null;
            return v instanceof Path ? (Path) v : Path.of(v.toString());
        }

        public boolean bool(String name) {
            Object v = values.get(name);
            if (v instanceof Boolean) return (Boolean) v;
            String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
            switch (s) {
                case "true": case "yes": case "1": return true;
                case "false": case "no": case "0": return false;
                default: throw bad(name, v, "true or false");
            }
        }

        public int integer(String name) {
            Object v = values.get(name);
            if (v instanceof Number && ((Number) v).doubleValue() == Math.rint(((Number) v).doubleValue())) return ((Number) v).intValue();
            try {
                return Integer.parseInt(String.valueOf(v).trim());
            } catch (NumberFormatException e) {
                throw bad(name, v, "an integer");
            }
        }

        /** A list from a collection, an array, or a comma-separated string; null when absent. */
        public List<String> list(String name) {
            Object v = values.get(name);
            if (v == null) return null;
            List<String> out = new ArrayList<>();
            if (v instanceof Collection) {
                for (Object o : (Collection<?>) v) out.add(String.valueOf(o).trim());
            } else if (v instanceof Object[]) {
                for (Object o : (Object[]) v) out.add(String.valueOf(o).trim());
            } else if (v instanceof int[]) {
                for (int i : (int[]) v) out.add(Integer.toString(i));
            } else {
                for (String s : v.toString().split(",")) if (!s.isBlank()) out.add(s.trim());
            }
            return out;
        }

        @SuppressWarnings("unchecked")
        public Transform<Tensor, Tensor> transform(String name) {
            Object v = values.get(name);
            if (v == null) return null;
            if (v instanceof Transform) return (Transform<Tensor, Tensor>) v;
            throw bad(name, v, "a Transform object");
        }

        private IllegalArgumentException bad(String name, Object v, String expected) {
            return new IllegalArgumentException("dataset '" + dataset + "': parameter '" + name + "' must be " + expected + ", got '" + v + "'");
        }
    }
}
