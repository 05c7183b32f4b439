package dev.kindling.nn;

import dev.kindling.api.Tensor;

import java.util.Iterator;
import java.util.List;

/** Holds modules in a list, registered as "0", "1", ...; it has no forward of its own. */
public class ModuleList extends Module implements Iterable<Module> {

    public ModuleList(Module... modules) {
        for (Module m : modules) add(m);
    }

    public ModuleList(Iterable<? extends Module> modules) {
        for (Module m : modules) add(m);
    }

    /** Appends a module; returns this. */
    public ModuleList add(Module module) {
        registerModule(Integer.toString(childMap().size()), module);
        return this;
    }

    /** PyTorch's name for {@link #add(Module)}. */
    public ModuleList append(Module module) { return add(module); }

    /** The i-th module (negative counts from the end). */
    public Module get(int index) { return childAt(index); }

    public int size() { return childMap().size(); }

    @Override
    public Iterator<Module> iterator() { return List.copyOf(childMap().values()).iterator(); }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("Module [ModuleList] is missing the required \"forward\" function: call its modules instead");
    }
}
