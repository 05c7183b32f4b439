package dev.kindling.nn;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.internal.KernelAccess;
import dev.kindling.nn.internal.Py;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The base class of every layer, loss and model, as PyTorch's {@code nn.Module}: an ordered tree of named child modules,
 * parameters (leaf tensors that require grad) and buffers (state such as BatchNorm's running statistics).
 *
 * <p>Import it by name ({@code import dev.kindling.nn.Module;}): {@code java.lang.Module} makes a wildcard import
 * ambiguous.
 *
 * <p>A subclass is written as in PyTorch: fields that hold a {@code Module} (a layer, a {@link Sequential}, a
 * {@link ModuleList}, ...) or a parameter made with {@link Parameter#of(Tensor)} are registered under the field's name,
 * as PyTorch's {@code __setattr__} does:
 * <pre>{@code
 * class Net extends Module {
 *     Linear fc1 = new Linear(784, 128);
 *     Linear fc2 = new Linear(128, 10);
 *     Tensor scale = Parameter.of(Torch.ones(1));
 *     public Tensor forward(Tensor x) { return fc2.forward(F.relu(fc1.forward(x))).mul(scale); }
 * }
 * }</pre>
 * gives {@code namedParameters()} {@code scale, fc1.weight, fc1.bias, fc2.weight, fc2.bias}, as PyTorch (a module's own
 * parameters first, then its children's).
 *
 * <p><b>Field registration rules.</b> Java runs field initialisers after this class's constructor, so fields are read
 * (by reflection) lazily: whenever the module's parts are looked at — {@code parameters()}, {@code children()},
 * {@code stateDict()}, {@code loadStateDict}, {@code toString()}, {@code train()}, {@code to(...)}, {@code apply} and
 * the other accessors — and before every {@code registerModule}/{@code registerParameter}/{@code registerBuffer} call.
 * <ul>
 * <li>Non-static fields of the subclass and its superclasses below {@code Module} are read in declaration order,
 *     superclass fields first. A field holding a {@code Module} becomes a child, one holding a tensor made by
 *     {@link Parameter#of(Tensor)} (or registered as a parameter) becomes a parameter. Other values (plain tensors,
 *     numbers, ...) are ordinary attributes, except that a plain tensor in a field named as a registered buffer
 *     replaces that buffer, as {@code self.running_mean = t} does in PyTorch.</li>
 * <li>A field is applied when its value has changed since it was last read: so fields assigned in the constructor
 *     body or later are picked up too, a reassigned field replaces its registration in place (keeping its position),
 *     and a field set to {@code null} drops its child (a parameter stays registered as absent, as PyTorch's
 *     {@code self.bias = None}). Between two changes of the field, explicit registrations under the same name win:
 *     whichever happened last is in force, as with attribute assignment in PyTorch.</li>
 * <li>A field whose value is already registered under another name ({@code outProj = registerModule("out_proj", ...)})
 *     is an alias and adds nothing.</li>
 * <li>{@code registerModule}/{@code registerParameter}/{@code registerBuffer} stay for names known only at run time
 *     and for buffers.</li>
 * <li>Fields are read with {@code setAccessible}, which works for classes on the class path and in any OSGi bundle.
 *     A class in a named JPMS module must open its package to Kindling's nn module; otherwise the error names the
 *     field.</li>
 * </ul>
 *
 * <p>{@link #to(DType)}, {@link #to(Device)}, {@link #cuda()}, {@link #cpu()}, {@link #half()}, {@link #bfloat16()},
 * {@link #toFloat()} and {@link #toDouble()} convert parameters and buffers in place ({@link Tensor#setData(Tensor)}):
 * the tensors keep their identity, so an optimizer built before the move, and fields that hold the parameters, keep
 * working, as in PyTorch.
 */
// Users subclass it for every model; concrete methods may still be added in minor versions.
@ConsumerType
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Set<String> nonPersistentBuffers = new HashSet<>();
    private final Map<String, Module> modules = new LinkedHashMap<>();
    private boolean training = true;
    /** What each registrable field held when last read (absent: null). */
    private final Map<Field, Object> fieldValues = new IdentityHashMap<>();
    private boolean syncing;

    /** The registrable fields of each Module subclass: non-static, non-synthetic, declared between the class and Module. */
    private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            List<Class<?>> chain = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Module.class; c = c.getSuperclass()) chain.add(0, c);
            List<Field> out = new ArrayList<>();
            for (Class<?> c : chain) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) continue;
                    Class<?> t = f.getType();
                    if (t.isPrimitive() || t.isArray()) continue;
                    if (!relevantType(t) && !t.isAssignableFrom(Module.class) && !t.isAssignableFrom(Tensor.class)) continue;
                    try {
                        f.trySetAccessible(); // once per field; a field it cannot open is reported when read
                    } catch (SecurityException ignored) {
                        // reported when read
                    }
                    out.add(f);
                }
            }
            return List.copyOf(out);
        }
    };

    private static boolean relevantType(Class<?> t) { return Module.class.isAssignableFrom(t) || Tensor.class.isAssignableFrom(t); }

    protected Module() {}

    // ------------------------------------------------------------------------------------------------ forward

    /**
     * Runs the module on one input. Every module that takes one tensor overrides it; the default fails as PyTorch's
     * {@code Module.forward} does.
     */
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("Module [" + typeName() + "] is missing the required \"forward\" function");
    }

    /**
     * Runs the module on several inputs. The default accepts exactly one input and calls {@link #forward(Tensor)}; a
     * module of several inputs overrides this (or, for a loss of input and target, extends {@link Loss} and overrides
     * {@code forward(input, target)}).
     */
    public Tensor forward(Tensor... inputs) {
        if (inputs.length == 1) return forward(inputs[0]);
        throw new IllegalArgumentException(typeName() + ".forward() takes 1 input tensor but " + inputs.length + " were given");
    }

    // ------------------------------------------------------------------------------------------------ fields

    /**
     * Registers the fields that changed since they were last read (see the class comment). Called by every method
     * that looks at this module's parts; a subclass rarely needs to call it itself.
     */
    protected final void registerFields() {
        if (syncing) return;
        List<Field> fields = FIELDS.get(getClass());
        if (fields.isEmpty()) return;
        syncing = true;
        try {
            for (Field f : fields) {
                Object v = read(f);
                if (v == NOT_READABLE) continue;
                Object last = fieldValues.get(f);
                if (v == last) continue;
                if (v == null) fieldValues.remove(f);
                else fieldValues.put(f, v);
                assignField(f, v, last);
            }
        } finally {
            syncing = false;
        }
    }

    private static final Object NOT_READABLE = new Object();

    private Object read(Field f) {
        try {
            return f.get(this);
        } catch (IllegalAccessException e) {
            if (!relevantType(f.getType())) return NOT_READABLE; // an Object-typed field we cannot read: not ours to report
            throw new IllegalStateException("cannot register field " + f.getDeclaringClass().getName() + "." + f.getName()
                    + " automatically: it is not accessible to Kindling (" + e.getMessage() + "). Open its package to Kindling's nn "
                    + "module, or register it explicitly with registerModule/registerParameter(\"" + f.getName() + "\", ...)", e);
        }
    }

    private void assignField(Field f, Object v, Object last) {
        String name = f.getName();
        if (v == null) {
            // the field was cleared: drop only what it had put there
            if (last instanceof Module && modules.get(name) == last) modules.remove(name);
            if (last instanceof Tensor && parameters.containsKey(name) && parameters.get(name) == last) parameters.put(name, null);
            if (last instanceof Tensor && buffers.containsKey(name) && buffers.get(name) == last) buffers.put(name, null);
            return;
        }
        if (v instanceof Module) {
            Module m = (Module) v;
            if (m == this || (!modules.containsKey(name) && containsIdentity(modules, m))) return; // an alias
            parameters.remove(name);
            buffers.remove(name);
            nonPersistentBuffers.remove(name);
            modules.put(name, m);
        } else if (v instanceof Tensor) {
            Tensor t = (Tensor) v;
            if (Parameter.isParameter(t)) {
                if (!parameters.containsKey(name) && (containsIdentity(parameters, t) || containsIdentity(buffers, t))) return; // an alias
                if (!t.isLeaf()) {
                    throw new IllegalStateException("Cannot assign non-leaf Tensor to parameter '" + name + "' (field "
                            + f.getDeclaringClass().getSimpleName() + "." + name + ")");
                }
                modules.remove(name);
                buffers.remove(name);
                nonPersistentBuffers.remove(name);
                parameters.put(name, t);
            } else if (buffers.containsKey(name)) {
                buffers.put(name, t);
            } else if (parameters.containsKey(name) && !containsIdentity(parameters, t)) {
                throw new IllegalStateException("cannot assign a plain Tensor as parameter '" + name + "' (field " + f.getDeclaringClass().getSimpleName()
                        + "." + name + "; Parameter.of(tensor) or null expected)");
            }
        }
    }

    private static boolean containsIdentity(Map<String, ?> map, Object value) {
        for (Object o : map.values()) if (o == value) return true;
        return false;
    }

    // ------------------------------------------------------------------------------------------------ registration

    /** Adds (or replaces) a child module under {@code name}; returns it, for {@code this.fc = registerModule("fc", ...)}. */
    public <M extends Module> M registerModule(String name, M module) {
        if (module == null) throw new IllegalArgumentException("registerModule(\"" + name + "\"): module is null");
        checkName(name, "module");
        registerFields();
        if ((parameters.containsKey(name) || buffers.containsKey(name))) {
            throw new IllegalArgumentException("attribute '" + name + "' already exists");
        }
        modules.put(name, module);
        return module;
    }

    /**
     * Adds (or replaces) a parameter: a leaf tensor, made to require grad (when autograd is installed), or {@code null}
     * for an absent optional parameter (as PyTorch's {@code bias=None}). Returns the tensor.
     */
    public Tensor registerParameter(String name, Tensor param) {
        checkName(name, "parameter");
        registerFields();
        if (buffers.containsKey(name) || modules.containsKey(name)) throw new IllegalArgumentException("attribute '" + name + "' already exists");
        if (param != null) {
            if (!param.isLeaf()) {
                throw new IllegalArgumentException("Cannot assign non-leaf Tensor to parameter '" + name + "'. Model parameters must be "
                        + "created explicitly. To express '" + name + "' as a function of another Tensor, compute the value in the forward() method.");
            }
            if (!param.requiresGrad() && param.dtype().isFloatingPoint() && KernelAccess.autogradAvailable()) param.requiresGrad_(true);
            Parameter.mark(param);
        }
        parameters.put(name, param);
        return param;
    }

    /** Adds (or replaces) a persistent buffer (saved in {@link #stateDict()}); {@code null} registers an absent one. */
    public Tensor registerBuffer(String name, Tensor buffer) { return registerBuffer(name, buffer, true); }

    /** Adds (or replaces) a buffer; a non-persistent one is not part of {@link #stateDict()}. */
    public Tensor registerBuffer(String name, Tensor buffer, boolean persistent) {
        checkName(name, "buffer");
        registerFields();
        if (parameters.containsKey(name) || modules.containsKey(name)) throw new IllegalArgumentException("attribute '" + name + "' already exists");
        buffers.put(name, buffer);
        if (persistent) nonPersistentBuffers.remove(name);
        else nonPersistentBuffers.add(name);
        return buffer;
    }

    private static void checkName(String name, String what) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException(what + " name can't be empty string \"\"");
        if (name.contains(".")) throw new IllegalArgumentException(what + " name can't contain \".\", got: " + name);
    }

    /** This module's own parameter {@code name} (null when registered as absent); an error if there is none. */
    protected final Tensor parameter(String name) {
        registerFields();
        if (!parameters.containsKey(name)) throw new IllegalArgumentException(typeName() + " has no parameter '" + name + "'");
        return parameters.get(name);
    }

    /** This module's own buffer {@code name} (null when registered as absent); an error if there is none. */
    protected final Tensor buffer(String name) {
        registerFields();
        if (!buffers.containsKey(name)) throw new IllegalArgumentException(typeName() + " has no buffer '" + name + "'");
        return buffers.get(name);
    }

    /** The submodule at a dotted path ({@code "features.0"}), as PyTorch's {@code get_submodule}; "" is this module. */
    public Module getSubmodule(String target) {
        if (target.isEmpty()) return this;
        Module m = this;
        StringBuilder path = new StringBuilder();
        for (String item : target.split("\\.", -1)) {
            m.registerFields();
            Module child = m.modules.get(item);
            if (child == null) throw new IllegalArgumentException(m.typeName() + (path.length() == 0 ? "" : " (" + path + ")") + " has no attribute `" + item + "`");
            if (path.length() > 0) path.append('.');
            path.append(item);
            m = child;
        }
        return m;
    }

    /** The parameter at a dotted path ({@code "features.0.weight"}). */
    public Tensor getParameter(String target) {
        int dot = target.lastIndexOf('.');
        Module m = getSubmodule(dot < 0 ? "" : target.substring(0, dot));
        m.registerFields();
        String name = target.substring(dot + 1);
        if (!m.parameters.containsKey(name)) throw new IllegalArgumentException(m.typeName() + " has no parameter `" + name + "`");
        return m.parameters.get(name);
    }

    /** The buffer at a dotted path ({@code "1.running_mean"}). */
    public Tensor getBuffer(String target) {
        int dot = target.lastIndexOf('.');
        Module m = getSubmodule(dot < 0 ? "" : target.substring(0, dot));
        m.registerFields();
        String name = target.substring(dot + 1);
        if (!m.buffers.containsKey(name)) throw new IllegalArgumentException(m.typeName() + " has no buffer `" + name + "`");
        return m.buffers.get(name);
    }

    // ------------------------------------------------------------------------------------------------ traversal

    /** Direct children in registration order. */
    public List<Module> children() { return new ArrayList<>(namedChildren().values()); }

    public Map<String, Module> namedChildren() {
        registerFields();
        Map<String, Module> out = new LinkedHashMap<>();
        Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        modules.forEach((k, m) -> { if (seen.add(m)) out.put(k, m); });
        return out;
    }

    /** This module and all its descendants, depth first, each once. */
    public List<Module> modules() { return new ArrayList<>(namedModules().values()); }

    /** This module (under "") and all descendants with dotted names, each once. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", Collections.newSetFromMap(new IdentityHashMap<>()), out);
        return out;
    }

    private void collectModules(String prefix, Set<Module> memo, Map<String, Module> out) {
        if (!memo.add(this)) return;
        registerFields();
        out.put(prefix, this);
        modules.forEach((k, m) -> m.collectModules(prefix.isEmpty() ? k : prefix + "." + k, memo, out));
    }

    /** Every parameter of the tree (each tensor once), in {@link #namedParameters()} order. */
    public List<Tensor> parameters() { return new ArrayList<>(namedParameters().values()); }

    /** Parameters with dotted names as PyTorch: a module's own first, then its children's ({@code 0.weight}, {@code 0.bias}, ...). */
    public Map<String, Tensor> namedParameters() { return namedMembers(m -> m.parameters); }

    public List<Tensor> buffers() { return new ArrayList<>(namedBuffers().values()); }

    public Map<String, Tensor> namedBuffers() { return namedMembers(m -> m.buffers); }

    private Map<String, Tensor> namedMembers(Function<Module, Map<String, Tensor>> members) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedModules().forEach((prefix, m) -> members.apply(m).forEach((k, t) -> {
            if (t != null && seen.add(t)) out.put(prefix.isEmpty() ? k : prefix + "." + k, t);
        }));
        return out;
    }

    /** Applies {@code fn} to every child (recursively) and then to this module, as PyTorch's {@code apply}. */
    public Module apply(Consumer<Module> fn) {
        for (Module m : children()) m.apply(fn);
        fn.accept(this);
        return this;
    }

    // ------------------------------------------------------------------------------------------------ modes

    /** Training mode for this module and all descendants. */
    public Module train() { return train(true); }

    public Module train(boolean mode) {
        training = mode;
        for (Module m : children()) m.train(mode);
        return this;
    }

    /** Evaluation mode ({@code train(false)}): Dropout passes through, BatchNorm uses its running statistics. */
    public Module eval() { return train(false); }

    public boolean isTraining() { return training; }

    /** Sets {@code requiresGrad} of every parameter (freezing with {@code false}). */
    public Module requiresGrad_(boolean requiresGrad) {
        for (Tensor p : parameters()) p.requiresGrad_(requiresGrad);
        return this;
    }

    /** Zeroes the gradients in place (PyTorch 1.13's default {@code set_to_none=False}). */
    public void zeroGrad() { zeroGrad(false); }

    /** Zeroes the gradients, or drops them with {@code setToNone}. */
    public void zeroGrad(boolean setToNone) {
        for (Tensor p : parameters()) {
            Tensor g = p.grad();
            if (g == null) continue;
            if (setToNone) {
                p.setGrad(null);
                continue;
            }
            if (g.gradFn() != null) {
                g = g.detach();
                p.setGrad(g);
            } else if (g.requiresGrad()) {
                g.requiresGrad_(false);
            }
            try (GradMode ignored = Torch.noGrad()) {
                g.zero_();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ conversion

    /**
     * Moves every parameter and buffer (and gradient) to {@code device} in place: the tensors keep their identity
     * ({@link Tensor#setData(Tensor)}), so optimizers and fields that hold them see the moved data. Returns this module.
     */
    public Module to(Device device) { return convert(t -> t.device().equals(device) ? t : t.to(device), false); }

    /** {@code to(Device.of(device))}: {@code "cpu"}, {@code "cuda:0"}. */
    public Module to(String device) { return to(Device.of(device)); }

    /**
     * Casts the floating-point parameters and buffers (and gradients) to {@code dtype} in place, as {@link #to(Device)};
     * integer buffers (BatchNorm's {@code num_batches_tracked}) keep theirs, as in PyTorch.
     */
    public Module to(DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=" + dtype.torchName());
        }
        return convert(t -> t.dtype() == dtype ? t : t.to(dtype), true);
    }

    /** {@code to(Device.CUDA)} (PyTorch's {@code module.cuda()}): the first CUDA device. */
    public Module cuda() { return to(Device.CUDA); }

    /** {@code to(Device.of("cuda", index))}. */
    public Module cuda(int index) { return to(Device.of("cuda", index)); }

    /** {@code to(Device.CPU)}. */
    public Module cpu() { return to(Device.CPU); }

    /** {@code to(DType.FLOAT64)} (PyTorch's {@code module.double()}). */
    public Module toDouble() { return to(DType.FLOAT64); }

    /** {@code to(DType.FLOAT32)} (PyTorch's {@code module.float()}). */
    public Module toFloat() { return to(DType.FLOAT32); }

    /** {@code to(DType.FLOAT16)}. */
    public Module half() { return to(DType.FLOAT16); }

    /** {@code to(DType.BFLOAT16)}. */
    public Module bfloat16() { return to(DType.BFLOAT16); }

    private Module convert(UnaryOperator<Tensor> fn, boolean floatingOnly) {
        try (GradMode ignored = Torch.noGrad()) {
            for (Module m : modules()) {
                for (Tensor p : m.parameters.values()) {
                    if (p == null || (floatingOnly && !p.dtype().isFloatingPoint())) continue;
                    swap(p, fn);
                    Tensor g = p.grad();
                    if (g != null) swap(g, fn);
                }
                for (Tensor b : m.buffers.values()) {
                    if (b != null && (!floatingOnly || b.dtype().isFloatingPoint())) swap(b, fn);
                }
            }
        }
        return this;
    }

    /** PyTorch's {@code t.data = fn(t)}; a tensor shared by several modules is converted once (the second call is a no-op). */
    private static void swap(Tensor t, UnaryOperator<Tensor> fn) {
        Tensor c = fn.apply(t);
        if (c != t) t.setData(c);
    }

    // ------------------------------------------------------------------------------------------------ state dict

    /** Parameters and persistent buffers by dotted name (detached, sharing storage), in PyTorch's order. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        saveToStateDict(out, "");
        return out;
    }

    private void saveToStateDict(Map<String, Tensor> out, String prefix) {
        registerFields();
        parameters.forEach((k, p) -> { if (p != null) out.put(prefix + k, p.detach()); });
        buffers.forEach((k, b) -> { if (b != null && !nonPersistentBuffers.contains(k)) out.put(prefix + k, b.detach()); });
        modules.forEach((k, m) -> m.saveToStateDict(out, prefix + k + "."));
    }

    /** Keys that {@link #loadStateDict(Map, boolean)} found missing in, or unexpected in, the given state dict. */
    public record IncompatibleKeys(List<String> missingKeys, List<String> unexpectedKeys) {
        /** True when no key was missing or unexpected. */
        public boolean allKeysMatched() { return missingKeys.isEmpty() && unexpectedKeys.isEmpty(); }

        /**
         * As PyTorch prints {@code load_state_dict}'s result: {@code <All keys matched successfully>}, else
         * {@code _IncompatibleKeys(missing_keys=['fc.bias'], unexpected_keys=[])}.
         */
        @Override
        public String toString() {
            if (allKeysMatched()) return "<All keys matched successfully>";
            return "_IncompatibleKeys(missing_keys=" + pyList(missingKeys) + ", unexpected_keys=" + pyList(unexpectedKeys) + ")";
        }

        private static String pyList(List<String> keys) {
            StringBuilder sb = new StringBuilder("[");
            for (String k : keys) sb.append(sb.length() == 1 ? "" : ", ").append(Py.repr(k));
            return sb.append(']').toString();
        }
    }

    /** {@code loadStateDict(stateDict, true)}. */
    public IncompatibleKeys loadStateDict(Map<String, Tensor> stateDict) { return loadStateDict(stateDict, true); }

    /**
     * Copies values into the parameters and buffers in place (without recording gradients), as PyTorch's
     * {@code load_state_dict}: with {@code strict}, missing and unexpected keys are an error; shape mismatches always are.
     * The error lists every problem, worded as PyTorch's ("Error(s) in loading state_dict for Sequential: ...").
     */
    public IncompatibleKeys loadStateDict(Map<String, Tensor> stateDict, boolean strict) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        try (GradMode ignored = Torch.noGrad()) {
            loadRecursive(stateDict, "", missing, unexpected, errors);
        }
        if (strict) {
            if (!unexpected.isEmpty()) errors.add(0, "Unexpected key(s) in state_dict: " + quoted(unexpected) + ". ");
            if (!missing.isEmpty()) errors.add(0, "Missing key(s) in state_dict: " + quoted(missing) + ". ");
        }
        if (!errors.isEmpty()) {
            throw new StateDictException("Error(s) in loading state_dict for " + typeName() + ":\n\t" + String.join("\n\t", errors),
                    missing, unexpected, errors);
        }
        return new IncompatibleKeys(List.copyOf(missing), List.copyOf(unexpected));
    }

    private static String quoted(List<String> keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) sb.append(sb.length() == 0 ? "" : ", ").append('"').append(k).append('"');
        return sb.toString();
    }

    private void loadRecursive(Map<String, Tensor> sd, String prefix, List<String> missing, List<String> unexpected, List<String> errors) {
        registerFields();
        loadFromStateDict(sd, prefix, missing, unexpected, errors);
        modules.forEach((k, m) -> m.loadRecursive(sd, prefix + k + ".", missing, unexpected, errors));
    }

    /**
     * Loads this module's own parameters and persistent buffers from {@code stateDict} keys under {@code prefix}, and
     * records its missing and unexpected keys and errors (PyTorch's {@code _load_from_state_dict}). Children are
     * loaded separately.
     */
    protected void loadFromStateDict(Map<String, Tensor> stateDict, String prefix, List<String> missing, List<String> unexpected,
                                     List<String> errors) {
        Map<String, Tensor> local = new LinkedHashMap<>();
        parameters.forEach((k, p) -> { if (p != null) local.put(k, p); });
        buffers.forEach((k, b) -> { if (b != null && !nonPersistentBuffers.contains(k)) local.put(k, b); });
        local.forEach((name, param) -> {
            String key = prefix + name;
            if (!stateDict.containsKey(key)) {
                missing.add(key);
                return;
            }
            Tensor input = stateDict.get(key);
            if (input == null) {
                errors.add("While copying the parameter named \"" + key + "\", expected torch.Tensor or Tensor-like object from checkpoint but received null");
                return;
            }
            if (param.dim() == 0 && input.dim() == 1) input = input.get(0);
            if (!Arrays.equals(input.shape(), param.shape())) {
                errors.add("size mismatch for " + key + ": copying a param with shape " + Py.size(input.shape())
                        + " from checkpoint, the shape in current model is " + Py.size(param.shape()) + ".");
                return;
            }
            try {
                param.copy_(input);
            } catch (RuntimeException e) {
                errors.add("While copying the parameter named \"" + key + "\", whose dimensions in the model are " + Py.size(param.shape())
                        + " and whose dimensions in the checkpoint are " + Py.size(input.shape()) + ", an exception occurred : " + e.getMessage() + ".");
            }
        });
        for (String key : stateDict.keySet()) {
            if (!key.startsWith(prefix)) continue;
            String first = key.substring(prefix.length());
            int dot = first.indexOf('.');
            if (dot >= 0) first = first.substring(0, dot);
            if (!modules.containsKey(first) && !local.containsKey(first)) unexpected.add(key);
        }
    }

    // ------------------------------------------------------------------------------------------------ printing

    /** The extra information PyTorch prints between the parentheses ({@code in_features=784, out_features=256, bias=True}). */
    public String extraRepr() { return ""; }

    /** The name printed for this module: the class's simple name. */
    protected String typeName() {
        String n = getClass().getSimpleName();
        return n.isEmpty() ? getClass().getName().substring(getClass().getName().lastIndexOf('.') + 1) : n;
    }

    /** The tree as PyTorch's {@code print(model)}. */
    @Override
    public String toString() {
        registerFields();
        String extra = extraRepr();
        List<String> extraLines = extra.isEmpty() ? List.of() : List.of(extra.split("\n", -1));
        List<String> childLines = new ArrayList<>();
        modules.forEach((k, m) -> childLines.add("(" + k + "): " + m.toString().replace("\n", "\n  ")));
        List<String> lines = new ArrayList<>(extraLines);
        lines.addAll(childLines);
        StringBuilder sb = new StringBuilder(typeName()).append('(');
        if (!lines.isEmpty()) {
            if (extraLines.size() == 1 && childLines.isEmpty()) sb.append(extraLines.get(0));
            else sb.append("\n  ").append(String.join("\n  ", lines)).append('\n');
        }
        return sb.append(')').toString();
    }

    // ------------------------------------------------------------------------------------------------ helpers for subclasses

    /** Direct child modules by name, in registration order (for containers). */
    protected final Map<String, Module> childMap() {
        registerFields();
        return modules;
    }

    /** The i-th direct child (negative counts from the end), for list-like containers. */
    protected final Module childAt(int index) {
        registerFields();
        int n = modules.size();
        int i = index < 0 ? index + n : index;
        if (i < 0 || i >= n) throw new IndexOutOfBoundsException("index " + index + " is out of range for " + typeName() + " of size " + n);
        return new ArrayList<>(modules.values()).get(i);
    }
}
