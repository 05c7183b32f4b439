package dev.kindling.nn.functional;

import dev.kindling.api.schema.FunctionSchema;
import dev.kindling.api.schema.NativeFunctions;
import dev.kindling.kernel.ops.OpDef;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every functional of the schema is bound by nn, exactly once, as a composite (autograd records the ops inside). */
class FunctionalsTest {
    @Test
    void everyDeclaredFunctionalIsBoundOnce() throws IllegalAccessException {
        Set<String> bound = new TreeSet<>();
        for (Field f : Functionals.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != OpDef.class) continue;
            OpDef op = (OpDef) f.get(null);
            assertEquals(OpDef.Kind.COMPOSITE, op.kind(), op.name());
            if (!bound.add(op.name())) throw new AssertionError(op.name() + " bound twice");
        }
        Set<String> declared = new TreeSet<>();
        for (FunctionSchema s : NativeFunctions.functionals()) declared.add(s.name());
        assertEquals(declared, bound);
    }
}
