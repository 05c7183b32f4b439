package dev.kindling.jit;

import dev.kindling.nn.Module;

/** A recorded forward call (being written). */
public final class TracedModule extends Module {
    private TracedModule() {}
}
