package dev.kindling.optim;

import dev.kindling.api.Tensor;
import dev.kindling.optim.internal.Py;
import dev.kindling.optim.internal.Values;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One parameter group of an {@link Optimizer}: the parameters and their hyper-parameters, as a PyTorch
 * {@code param_group} dict. Hyper-parameters are kept under PyTorch's names ({@code lr}, {@code momentum},
 * {@code weight_decay}, {@code betas}, ...); lookups ignore case and underscores, so {@code get("weightDecay")} finds
 * {@code weight_decay}. Schedulers read and write them here ({@code lr}, {@code initial_lr}, {@code momentum}, ...).
 *
 * <p>Create one to give a group its own hyper-parameters:
 * {@code SGD.builder(new ParamGroup(backbone), new ParamGroup(head).lr(0.1)).lr(0.01).momentum(0.9).build()};
 * options a group does not set come from the optimizer's defaults when it is added.
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private final LinkedHashMap<String, Object> options = new LinkedHashMap<>();

    public ParamGroup(Iterable<? extends Tensor> params) {
        this(params, Map.of());
    }

    public ParamGroup(Tensor... params) {
        this(List.of(params), Map.of());
    }

    /** A group with its own hyper-parameters, e.g. {@code Map.of("lr", 0.1, "momentum", 0.9)}. */
    public ParamGroup(Iterable<? extends Tensor> params, Map<String, ?> options) {
        this.params = Collections.unmodifiableList(checkParams(params));
        if (options != null) options.forEach(this::set);
    }

    static List<Tensor> checkParams(Object params) {
        if (params == null || params instanceof Tensor || !(params instanceof Iterable<?>)) {
            throw new IllegalArgumentException(Optimizer.notIterableMessage(params));
        }
        checkOrdered(params);
        List<Tensor> list = new ArrayList<>();
        for (Object o : (Iterable<?>) params) {
            if (!(o instanceof Tensor t)) {
                throw new IllegalArgumentException("optimizer can only optimize Tensors, but one of the params is "
                        + Py.typeName(o));
            }
            list.add(t);
        }
        return list;
    }

    /** PyTorch rejects sets: their iteration order changes between runs, and a state dict refers to parameters by position. */
    static void checkOrdered(Object params) {
        if (params instanceof java.util.Set<?> && !(params instanceof java.util.LinkedHashSet<?>)
                && !(params instanceof java.util.SortedSet<?>)) {
            throw new IllegalArgumentException("optimizer parameters need to be organized in ordered collections, but the "
                    + "ordering of tensors in sets will change between runs. Please use a list instead.");
        }
    }

    /** The parameters of this group, in order (unmodifiable). */
    public List<Tensor> params() {
        return params;
    }

    /** The learning rate. */
    public double lr() {
        return getDouble("lr");
    }

    /** Sets the learning rate; returns this group. */
    public ParamGroup lr(double lr) {
        return set("lr", lr);
    }

    /** Whether the group has this hyper-parameter (case and underscores ignored). */
    public boolean has(String name) {
        return key(name) != null;
    }

    /** A hyper-parameter's value; an error naming the known ones if the group has none of that name. */
    public Object get(String name) {
        String k = key(name);
        if (k == null) {
            throw new IllegalArgumentException("parameter group has no hyper-parameter '" + name + "'; it has "
                    + options.keySet());
        }
        return options.get(k);
    }

    /** A hyper-parameter's value, or {@code fallback} if the group has none of that name. */
    public Object get(String name, Object fallback) {
        String k = key(name);
        return k == null ? fallback : options.get(k);
    }

    public double getDouble(String name) {
        return Values.toDouble(get(name), "hyper-parameter '" + name + "'");
    }

    public int getInt(String name) {
        return Values.toInt(get(name), "hyper-parameter '" + name + "'");
    }

    public boolean getBoolean(String name) {
        return Values.toBoolean(get(name), "hyper-parameter '" + name + "'");
    }

    public String getString(String name) {
        return Values.toStr(get(name), "hyper-parameter '" + name + "'");
    }

    /** A list-valued hyper-parameter such as {@code betas}, as an array (a copy). */
    public double[] getDoubles(String name) {
        return Values.toDoubles(get(name), "hyper-parameter '" + name + "'");
    }

    /**
     * Sets a hyper-parameter and returns this group. A name that matches an existing one (case and underscores ignored)
     * replaces its value under the existing name; arrays are stored as unmodifiable lists.
     */
    public ParamGroup set(String name, Object value) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("hyper-parameter name must not be empty");
        if (Values.normalize(name).equals("params")) {
            throw new IllegalArgumentException("'params' is not a hyper-parameter: a group's parameters are given when it "
                    + "is created");
        }
        String k = key(name);
        options.put(k == null ? name : k, Values.plain(value));
        return this;
    }

    /** The hyper-parameters by name, in insertion order (an unmodifiable view). */
    public Map<String, Object> options() {
        return Collections.unmodifiableMap(options);
    }

    /** Sets the default unless the group has the option; renames a differently spelled one to {@code name}. */
    void setDefault(String name, Object value) {
        String k = key(name);
        if (k == null) {
            options.put(name, Values.plain(value));
        } else if (!k.equals(name)) {
            LinkedHashMap<String, Object> renamed = new LinkedHashMap<>();
            options.forEach((key, v) -> renamed.put(key.equals(k) ? name : key, v));
            options.clear();
            options.putAll(renamed);
        }
    }

    void replaceOptions(Map<String, Object> newOptions) {
        options.clear();
        newOptions.forEach((k, v) -> options.put(k, Values.plain(v)));
    }

    private String key(String name) {
        if (options.containsKey(name)) return name;
        String n = Values.normalize(name);
        for (String k : options.keySet()) {
            if (Values.normalize(k).equals(n)) return k;
        }
        return null;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ParamGroup(params=").append(params.size()).append(" tensors");
        options.forEach((k, v) -> sb.append(", ").append(k).append('=').append(Py.repr(v)));
        return sb.append(')').toString();
    }
}
