package dev.kindling.kernel.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.schema.FunctionSchema;
import dev.kindling.api.schema.NativeFunctions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The op table and its schema (native_functions.schema) agree, and the generated API forms reach the table. */
class OpTableTest {

    @Test
    void everyDeclaredOpIsBoundAndEveryBoundOpIsDeclared() {
        List<String> unbound = new ArrayList<>();
        for (FunctionSchema s : NativeFunctions.all()) if (!Ops.table().containsKey(s.name())) unbound.add(s.name());
        assertEquals(List.of(), unbound, "ops declared in native_functions.schema with no forward in the kernel's table");
        for (OpDef op : Ops.table().values()) assertEquals(op.schema(), NativeFunctions.find(op.name()), op.name());
        assertEquals(NativeFunctions.all().size(), Ops.table().size());
    }

    @Test
    void everyMethodOrFunctionOfTheSchemaIsAnApiForm() {
        List<String> missing = new ArrayList<>();
        for (FunctionSchema s : NativeFunctions.all()) {
            String form = camel(s.name());
            if (s.method() && Arrays.stream(Tensor.class.getMethods()).noneMatch(m -> m.getName().equals(form))) missing.add("Tensor." + form);
            if (s.function() && Arrays.stream(Torch.class.getMethods()).noneMatch(m -> m.getName().equals(form)
                    && java.lang.reflect.Modifier.isStatic(m.getModifiers()))) missing.add("Torch." + form);
        }
        assertEquals(List.of(), missing);
    }

    private static String camel(String snake) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') { up = sb.length() > 0; continue; }
            sb.append(up ? Character.toUpperCase(c) : c);
            up = false;
        }
        return sb.toString();
    }
}
