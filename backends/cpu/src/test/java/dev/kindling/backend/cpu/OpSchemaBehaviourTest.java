package dev.kindling.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.Attrs;
import dev.kindling.kernel.ops.OpDef;
import dev.kindling.kernel.ops.Ops;
import dev.kindling.kernel.spi.BinaryOp;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Op calls are checked against their typed schema, and the generated API forms (TensorMethods, TorchFunctions) run ops. */
class OpSchemaBehaviourTest {

    @Test
    void attributesAreCheckedAgainstTheSchema() {
        Tensor x = Torch.ones(2, 3);
        IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                () -> Ops.SUM.call(new Tensor[] {x}, Attrs.of("0", false)));
        assertTrue(wrongType.getMessage().contains("sum(): attribute 'dims' must be int[] or null, got String 0"), wrongType.getMessage());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> Ops.SOFTMAX.call(new Tensor[] {x}, Attrs.of(0, 1)));
        assertTrue(tooMany.getMessage().startsWith("softmax() takes 1 attribute(s) [int dim] but got 2"), tooMany.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Ops.SOFTMAX.attrs());
        assertTrue(missing.getMessage().contains("softmax() missing attribute 'dim'"), missing.getMessage());
        IllegalArgumentException inputs = assertThrows(IllegalArgumentException.class,
                () -> Ops.MM.call(new Tensor[] {x}, Attrs.NONE));
        assertTrue(inputs.getMessage().startsWith("mm() takes 2 tensor input(s)"), inputs.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Ops.FLIP.attrsByName(Map.of("dim", 0)));
        assertTrue(unknown.getMessage().contains("flip() has no attribute 'dim'"), unknown.getMessage());
    }

    @Test
    void defaultedAttributesReadAsTheirSchemaDefault() {
        Tensor a = Torch.tensor(new float[] {1, 2});
        Tensor b = Torch.tensor(new float[] {10, 20});
        OpDef add = Ops.binaryOp(BinaryOp.ADD, false);
        assertEquals(1.0, add.attrs().d("alpha"));
        assertTrue(add.call(new Tensor[] {a, b}, add.attrsByName(Map.of())) [0].equal(Torch.tensor(new float[] {11, 22})));
        assertTrue(add.call(new Tensor[] {a, b}, add.attrsByName(Map.of("alpha", 2))) [0].equal(Torch.tensor(new float[] {21, 42})));
    }

    @Test
    void generatedFormsDispatchThroughTheTable() {
        Tensor x = Torch.arange(6L).view(2, 3);
        assertTrue(x.flip(1).equal(Torch.tensor(new long[] {2, 1, 0, 5, 4, 3}, 2, 3)));
        assertTrue(Torch.flip(x, 0, 1).equal(Torch.tensor(new long[] {5, 4, 3, 2, 1, 0}, 2, 3)));
        assertTrue(x.callOp("flip", new Tensor[] {x}, (Object) new int[] {0})[0].equal(Torch.tensor(new long[] {3, 4, 5, 0, 1, 2}, 2, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.callOp("flop", new Tensor[] {x}));
        assertTrue(e.getMessage().contains("unknown op 'flop'"), e.getMessage());
    }

}
