package dev.kindling.nn;

import dev.kindling.api.Tensor;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Runs its children in order, each on the previous one's output; children are named "0", "1", ... unless named explicitly. */
public class Sequential extends Module implements Iterable<Module> {

    public Sequential(Module... modules) {
        for (Module m : modules) add(m);
    }

    /** Named children, in the map's order (PyTorch's {@code Sequential(OrderedDict(...))}). */
    public Sequential(Map<String, ? extends Module> modules) {
        modules.forEach(this::registerModule);
    }

    /** Appends a module named by its position; returns this. */
    public Sequential add(Module module) {
        registerModule(Integer.toString(childMap().size()), module);
        return this;
    }

    /** Appends a module under a name; returns this. */
    public Sequential add(String name, Module module) {
        registerModule(name, module);
        return this;
    }

    /** The i-th child (negative counts from the end). */
    public Module get(int index) { return childAt(index); }

    public int size() { return childMap().size(); }

    @Override
    public Iterator<Module> iterator() { return List.copyOf(childMap().values()).iterator(); }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : childMap().values()) y = m.forward(y);
        return y;
    }
}
