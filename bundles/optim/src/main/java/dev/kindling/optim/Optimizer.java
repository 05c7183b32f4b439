package dev.kindling.optim;

import dev.kindling.api.DType;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.optim.internal.Py;
import dev.kindling.optim.internal.Values;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Base class of all optimizers, as PyTorch's {@code torch.optim.Optimizer}: parameter groups with their own
 * hyper-parameters, per-parameter state, {@link #zeroGrad()}, {@link #step()} and a {@link #stateDict()} that
 * {@link #loadStateDict(Map)} restores exactly.
 *
 * <p>A custom optimizer is a small subclass: pass the parameters and the defaults of its hyper-parameters to the
 * constructor and implement {@link #step(Supplier)}, updating parameters in place under {@link Torch#noGrad()}:
 *
 * <pre>{@code
 * class SignSGD extends Optimizer {
 *     SignSGD(Iterable<? extends Tensor> params, double lr) { super(params, Map.of("lr", lr)); }
 *
 *     public Tensor step(Supplier<Tensor> closure) {
 *         Tensor loss = evaluate(closure);
 *         try (var g = Torch.noGrad()) {
 *             for (ParamGroup group : paramGroups())
 *                 for (Tensor p : group.params())
 *                     if (p.grad() != null) p.add_(p.grad().sign(), -group.lr());
 *         }
 *         return loss;
 *     }
 * }
 * }</pre>
 *
 * Per-parameter state lives in {@link #state(Tensor)} (tensors and plain values), which the state dict saves.
 */
@ConsumerType
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
public abstract class Optimizer {

    /** The default of a hyper-parameter every group must give itself (PyTorch's {@code required}), e.g. SGD's lr. */
    public static final Object REQUIRED = new Object() {
        @Override
        public String toString() {
            return "<required parameter>";
        }
    };

    private final Map<String, Object> defaults = new LinkedHashMap<>();
    private final List<ParamGroup> paramGroups = new ArrayList<>();
    private final Map<Tensor, Map<String, Object>> state = new IdentityHashMap<>();

    /**
     * @param params   an Iterable of Tensors (one group), or of {@link ParamGroup}s (or Maps with a {@code "params"}
     *                 entry and hyper-parameters, as PyTorch's dicts)
     * @param defaults the hyper-parameters' defaults under PyTorch's names, in PyTorch's order; a value may be
     *                 {@link #REQUIRED}
     */
    protected Optimizer(Iterable<?> params, Map<String, ?> defaults) {
        if (params == null || params instanceof Tensor) throw new IllegalArgumentException(notIterableMessage(params));
        ParamGroup.checkOrdered(params);
        defaults.forEach((k, v) -> this.defaults.put(k, v == REQUIRED ? REQUIRED : Values.plain(v)));
        List<Object> items = new ArrayList<>();
        for (Object o : params) items.add(o);
        if (items.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
        if (items.get(0) instanceof ParamGroup || items.get(0) instanceof Map<?, ?>) {
            for (Object o : items) addParamGroupInternal(toGroup(o));
        } else {
            addParamGroupInternal(new ParamGroup(ParamGroup.checkParams(items)));
        }
    }

    static String notIterableMessage(Object params) {
        return "params argument given to the optimizer should be an iterable of Tensors or ParamGroups, but got "
                + Py.typeName(params);
    }

    private static ParamGroup toGroup(Object o) {
        if (o instanceof ParamGroup g) return g;
        if (o instanceof Map<?, ?> m) {
            if (!m.containsKey("params")) throw new IllegalArgumentException("a parameter group needs a 'params' entry");
            Map<String, Object> opts = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                if (!"params".equals(k)) opts.put(String.valueOf(k), v);
            });
            return new ParamGroup(ParamGroup.checkParams(m.get("params")), opts);
        }
        throw new IllegalArgumentException("param group must be a ParamGroup (or a Map with 'params'), but got "
                + Py.typeName(o));
    }

    // ---------------------------------------------------------------------------------------------- groups

    /** The parameter groups, in order (the live groups: setting {@code lr} on one changes the optimizer). */
    public List<ParamGroup> paramGroups() {
        return Collections.unmodifiableList(paramGroups);
    }

    /** The defaults the constructor was given, by PyTorch's names (unmodifiable). */
    public Map<String, Object> defaults() {
        return Collections.unmodifiableMap(defaults);
    }

    /**
     * Adds a parameter group (fine-tuning: unfreezing layers as training goes on). Hyper-parameters the group does not
     * set come from the defaults.
     */
    public void addParamGroup(ParamGroup group) {
        addParamGroupInternal(group);
    }

    /** Adds a group of these parameters with these hyper-parameters (the others from the defaults). */
    public void addParamGroup(Iterable<? extends Tensor> params, Map<String, ?> options) {
        addParamGroupInternal(new ParamGroup(params, options));
    }

    private void addParamGroupInternal(ParamGroup group) {
        if (group == null) throw new IllegalArgumentException("param group must not be null");
        for (Tensor p : group.params()) {
            if (!(p.isLeaf() || p.retainsGrad())) throw new IllegalArgumentException("can't optimize a non-leaf Tensor");
        }
        for (Map.Entry<String, Object> e : defaults.entrySet()) {
            if (e.getValue() == REQUIRED && !group.has(e.getKey())) {
                throw new IllegalArgumentException("parameter group didn't specify a value of required optimization "
                        + "parameter " + e.getKey());
            }
        }
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup g : paramGroups) seen.addAll(g.params());
        Set<Tensor> own = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor p : group.params()) {
            if (seen.contains(p)) throw new IllegalArgumentException("some parameters appear in more than one parameter group");
            if (!own.add(p)) {
                System.getLogger(Optimizer.class.getName()).log(System.Logger.Level.WARNING,
                        "optimizer contains a parameter group with duplicate parameters; in future, this will cause an error");
            }
        }
        defaults.forEach(group::setDefault);
        paramGroups.add(group);
        onParamGroupAdded(group);
    }

    /** Called after a group was added (also for the constructor's groups): for state that exists before the first step. */
    protected void onParamGroupAdded(ParamGroup group) {}

    // ---------------------------------------------------------------------------------------------- state

    /** This parameter's state, created empty on first use (PyTorch's {@code self.state[p]}). */
    protected Map<String, Object> state(Tensor param) {
        return state.computeIfAbsent(param, k -> new LinkedHashMap<>());
    }

    /** The per-parameter state of all parameters that have some (unmodifiable view; keys by identity). */
    public Map<Tensor, Map<String, Object>> state() {
        return Collections.unmodifiableMap(state);
    }

    /** A state entry that counts steps: a number, or a one-element tensor as PyTorch 1.13 saves it. */
    protected static long stepOf(Map<String, Object> state) {
        Object s = state.get("step");
        return s == null ? 0L : Values.toLong(s, "state 'step'");
    }

    // ---------------------------------------------------------------------------------------------- zero_grad, step

    /** Zeroes the gradients in place (PyTorch 1.13's default, {@code set_to_none=False}). */
    public void zeroGrad() {
        zeroGrad(false);
    }

    /** Sets the gradients to null ({@code setToNone}) or zeroes them in place. */
    public void zeroGrad(boolean setToNone) {
        try (GradMode g = Torch.noGrad()) {
            for (ParamGroup group : paramGroups) {
                for (Tensor p : group.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    if (setToNone) {
                        p.setGrad(null);
                    } else {
                        if (grad.gradFn() != null) {
                            grad = grad.detach();
                            p.setGrad(grad);
                        } else if (grad.requiresGrad()) {
                            grad.requiresGrad_(false);
                        }
                        grad.zero_();
                    }
                }
            }
        }
    }

    /** One optimization step. */
    public Tensor step() {
        return step(null);
    }

    /**
     * One optimization step; {@code closure} (may be null) re-evaluates the model and returns the loss, which this
     * returns.
     */
    public abstract Tensor step(Supplier<Tensor> closure);

    /** Runs the closure with gradients enabled (as PyTorch's {@code with torch.enable_grad()}); null for none. */
    protected static Tensor evaluate(Supplier<Tensor> closure) {
        if (closure == null) return null;
        try (GradMode g = Torch.enableGrad()) {
            return closure.get();
        }
    }

    // ---------------------------------------------------------------------------------------------- state dict

    /**
     * The optimizer's state as PyTorch lays it out: {@code "state"} maps a parameter's index (its position over all
     * groups, as an Integer) to its state (tensors and plain values), and {@code "param_groups"} lists each group's
     * hyper-parameters with {@code "params"}: the indices of its parameters. Tensors are copies (a snapshot); values are
     * plain (numbers, booleans, strings, lists), no Java serialization.
     */
    public Map<String, Object> stateDict() {
        Map<Tensor, Integer> index = new IdentityHashMap<>();
        List<Tensor> ordered = new ArrayList<>();
        List<Object> groups = new ArrayList<>();
        for (ParamGroup g : paramGroups) {
            Map<String, Object> packed = new LinkedHashMap<>();
            g.options().forEach((k, v) -> packed.put(k, copyValue(v)));
            List<Integer> ids = new ArrayList<>();
            for (Tensor p : g.params()) {
                Integer id = index.get(p);
                if (id == null) {
                    id = ordered.size();
                    index.put(p, id);
                    ordered.add(p);
                }
                ids.add(id);
            }
            packed.put("params", ids);
            groups.add(packed);
        }
        Map<Integer, Object> packedState = new LinkedHashMap<>();
        for (int i = 0; i < ordered.size(); i++) {
            Map<String, Object> st = state.get(ordered.get(i));
            if (st == null || st.isEmpty()) continue;
            Map<String, Object> copy = new LinkedHashMap<>();
            st.forEach((k, v) -> copy.put(k, copyValue(v)));
            packedState.put(i, copy);
        }
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("state", packedState);
        sd.put("param_groups", groups);
        return sd;
    }

    private static Object copyValue(Object v) {
        if (v instanceof Tensor t) {
            try (GradMode g = Torch.noGrad()) {
                return t.detach().clone();
            }
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> c = new LinkedHashMap<>();
            m.forEach((k, x) -> c.put(k, copyValue(x)));
            return c;
        }
        if (v instanceof List<?> l) {
            List<Object> c = new ArrayList<>();
            for (Object x : l) c.add(copyValue(x));
            return c;
        }
        return v;
    }

    /**
     * Restores a state from {@link #stateDict()} (of an optimizer of the same kind over parameters of the same shapes,
     * in the same groups): the hyper-parameters of each group and every parameter's state. Tensors are copied and cast
     * to the parameter's dtype and device (all but {@code step}). A dict that does not fit (other number of groups,
     * group sizes, shapes, a group without one of this optimizer's hyper-parameters) is rejected with an
     * {@link IllegalArgumentException} and nothing is changed.
     */
    public void loadStateDict(Map<String, ?> stateDict) {
        if (stateDict == null) throw new IllegalArgumentException("state dict must not be null");
        Object savedGroupsObj = stateDict.get("param_groups");
        Object savedStateObj = stateDict.get("state");
        if (!(savedGroupsObj instanceof List<?> savedGroups)) {
            throw new IllegalArgumentException("loaded state dict has no 'param_groups' list (got "
                    + Values.describe(savedGroupsObj) + ")");
        }
        if (savedStateObj != null && !(savedStateObj instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("loaded state dict's 'state' must be a map from parameter index to state, "
                    + "but got " + Values.describe(savedStateObj));
        }
        if (savedGroups.size() != paramGroups.size()) {
            throw new IllegalArgumentException("loaded state dict has a different number of parameter groups ("
                    + savedGroups.size() + " saved, " + paramGroups.size() + " in this optimizer)");
        }
        // Validate all before changing anything.
        Map<Long, Tensor> idMap = new TreeMap<>();
        List<Map<String, Object>> newOptions = new ArrayList<>();
        for (int gi = 0; gi < savedGroups.size(); gi++) {
            if (!(savedGroups.get(gi) instanceof Map<?, ?> sg)) {
                throw new IllegalArgumentException("loaded state dict's parameter group " + gi + " is not a map");
            }
            List<Tensor> params = paramGroups.get(gi).params();
            Object ids = sg.get("params");
            if (!(ids instanceof List<?> idList)) {
                throw new IllegalArgumentException("loaded state dict's parameter group " + gi + " has no 'params' list");
            }
            if (idList.size() != params.size()) {
                throw new IllegalArgumentException("loaded state dict contains a parameter group that doesn't match the "
                        + "size of optimizer's group (group " + gi + ": " + idList.size() + " parameters saved, "
                        + params.size() + " in this optimizer)");
            }
            for (int j = 0; j < idList.size(); j++) {
                long id = Values.toLong(idList.get(j), "parameter index in group " + gi);
                Tensor prev = idMap.put(id, params.get(j));
                if (prev != null && prev != params.get(j)) {
                    throw new IllegalArgumentException("loaded state dict lists parameter index " + id + " twice");
                }
            }
            Map<String, Object> opts = new LinkedHashMap<>();
            sg.forEach((k, v) -> {
                if (!"params".equals(k)) opts.put(String.valueOf(k), copyValue(v));
            });
            for (String required : defaults.keySet()) {
                String n = Values.normalize(required);
                if (opts.keySet().stream().noneMatch(k -> Values.normalize(k).equals(n))) {
                    throw new IllegalArgumentException("loaded state dict's parameter group " + gi + " has no '" + required
                            + "' (saved from a different optimizer than " + getClass().getSimpleName() + "?)");
                }
            }
            newOptions.add(opts);
        }
        Map<Tensor, Map<String, Object>> newState = new IdentityHashMap<>();
        if (savedStateObj instanceof Map<?, ?> savedState) {
            for (Map.Entry<?, ?> e : savedState.entrySet()) {
                long id = Values.toLong(e.getKey(), "state key");
                Tensor p = idMap.get(id);
                if (p == null) {
                    throw new IllegalArgumentException("loaded state dict has state for parameter " + id
                            + ", which none of its parameter groups lists");
                }
                if (!(e.getValue() instanceof Map<?, ?> st)) {
                    throw new IllegalArgumentException("loaded state dict's state of parameter " + id + " is not a map");
                }
                Map<String, Object> cast = new LinkedHashMap<>();
                for (Map.Entry<?, ?> se : st.entrySet()) {
                    String key = String.valueOf(se.getKey());
                    Object v = se.getValue();
                    if (v instanceof Tensor t) {
                        if (paramShapedStateKeys().contains(key) && !Arrays.equals(t.shape(), p.shape())) {
                            throw new IllegalArgumentException("loaded state dict has '" + key + "' of shape "
                                    + Arrays.toString(t.shape()) + " for parameter " + id + " of shape "
                                    + Arrays.toString(p.shape()));
                        }
                        try (GradMode g = Torch.noGrad()) {
                            Tensor c = t.detach();
                            if (!key.equals("step")) {
                                if (isFloating(p.dtype())) c = c.to(p.dtype());
                                c = c.to(p.device());
                            }
                            cast.put(key, c.clone());
                        }
                    } else {
                        cast.put(key, copyValue(v));
                    }
                }
                newState.put(p, cast);
            }
        }
        state.clear();
        state.putAll(newState);
        for (int gi = 0; gi < paramGroups.size(); gi++) paramGroups.get(gi).replaceOptions(newOptions.get(gi));
    }

    /**
     * The state entries that are tensors of the parameter's shape (for the shape check of
     * {@link #loadStateDict(Map)}); none unless a subclass says so.
     */
    protected Set<String> paramShapedStateKeys() {
        return Set.of();
    }

    private static boolean isFloating(DType d) {
        return d == DType.FLOAT32 || d == DType.FLOAT64 || d == DType.FLOAT16 || d == DType.BFLOAT16;
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Throws an {@link IllegalArgumentException} with PyTorch's wording, e.g. {@code Invalid learning rate: -0.1}. */
    protected static void checkArgument(boolean ok, String what, double value) {
        if (!ok) throw new IllegalArgumentException(what + ": " + Py.repr(value));
    }

    /** Prints as PyTorch: the class name and each group's hyper-parameters, sorted by name. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append(" (");
        for (int i = 0; i < paramGroups.size(); i++) {
            sb.append("\nParameter Group ").append(i).append('\n');
            new TreeMap<>(paramGroups.get(i).options()).forEach((k, v) ->
                    sb.append("    ").append(k).append(": ").append(Py.repr(v)).append('\n'));
        }
        return sb.append(')').toString();
    }
}
