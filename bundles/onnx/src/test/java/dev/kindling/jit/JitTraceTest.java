package dev.kindling.jit;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.Flatten;
import dev.kindling.nn.Linear;
import dev.kindling.nn.MaxPool2d;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JitTraceTest {
    private static Module cnn() {
        Torch.manualSeed(3);
        Module m = new Sequential(new Conv2d(1, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 5));
        m.eval();
        return m;
    }

    private static List<String> ops(Graph g) { return g.nodes().stream().map(Graph.Node::op).collect(Collectors.toList()); }

    @Test
    void functionalsAreOneNodeAndParametersKeepTheirStateDictKeys() {
        Module m = cnn();
        TracedModule t = Jit.trace(m, Torch.randn(2, 1, 8, 8));
        Graph g = t.graph();
        assertEquals(List.of("conv2d", "batch_norm", "relu", "max_pool2d", "flatten", "linear"), ops(g), g.toString());
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "5.weight", "5.bias"),
                g.stateValues().stream().map(Graph.Value::name).collect(Collectors.toList()));
        assertEquals("0", g.nodes().get(0).scope());
        assertEquals(m.stateDict().keySet(), t.stateDict().keySet());
        String printed = g.toString();
        assertTrue(printed.contains("= conv2d(%input, %0.weight, %0.bias, stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=1)  # 0"), printed);
    }

    @Test
    void recurrentLayersAndAttentionAreOneNodeEach() {
        Torch.manualSeed(4);
        Module lstm = new dev.kindling.nn.LSTM(3, 4, 2, true, false, 0.0, true);
        assertEquals(List.of("lstm_layer", "lstm_layer", "cat", "cat"), ops(Jit.trace(lstm, Torch.randn(5, 2, 3)).graph()));
        Module attn = new dev.kindling.nn.MultiheadAttention(8, 2);
        Graph g = Jit.trace(attn, Torch.randn(4, 2, 8)).graph();
        assertEquals(List.of("multi_head_attention"), ops(g), g.toString());
        assertTrue(g.toString().contains("None = multi_head_attention("), g.toString());
    }

    @Test
    void replayMatchesTheModuleAndFollowsItsParameters() {
        Module m = cnn();
        Tensor x = Torch.randn(2, 1, 8, 8);
        TracedModule t = Jit.trace(m, x);
        assertArrayEquals(m.forward(x).toFloatArray(), t.forward(x).toFloatArray(), 0f);
        m.getParameter("5.bias").data().add_(1.0); // the traced module holds the same parameters
        assertArrayEquals(m.forward(x).toFloatArray(), t.forward(x).toFloatArray(), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.forward(Torch.randn(3, 1, 8, 8)));
        assertTrue(e.getMessage().contains("dim 0 of input 'input' was traced as 2 and is not a declared dynamic axis"), e.getMessage());
    }

    /** A forward that views its input by its batch size, as hand-written models do. */
    static final class ViewByBatch extends Module {
        final Linear fc = new Linear(12, 3);

        @Override
        public Tensor forward(Tensor x) { return fc.forward(x.view(x.size(0), -1)).view(x.size(0), 3, 1).mul(2.0); }
    }

    @Test
    void dynamicAxesStaySymbolicThroughViews() {
        Module m = new ViewByBatch();
        TracedModule t = Jit.trace(m, new Tensor[] {Torch.randn(1, 3, 4)}, List.of("x"), List.of("y"), Map.of("x", Map.of(0, "batch")));
        Graph.Node view = t.graph().nodes().get(0);
        assertEquals("view", view.op(), t.graph().toString());
        assertEquals(SymInt.of("batch"), ((Object[]) view.attrs().get("shape"))[0]);
        assertEquals(List.of(SymInt.of("batch"), 3L, 1L), t.graph().outputs().get(0).shape());
        for (int n : new int[] {1, 2, 3, 8, 13}) {
            Tensor x = Torch.randn(n, 3, 4);
            assertArrayEquals(m.forward(x).toFloatArray(), t.forward(x).toFloatArray(), 0f);
        }
        Module cnn = cnn();
        TracedModule tc = Jit.trace(cnn, new Tensor[] {Torch.randn(1, 1, 8, 8)}, List.of("x"), List.of(), Map.of("x", Map.of(0, "batch")));
        Tensor x = Torch.randn(5, 1, 8, 8);
        assertArrayEquals(cnn.forward(x).toFloatArray(), tc.forward(x).toFloatArray(), 0f);
    }

    /** A module whose forward bakes the batch size into a tensor it creates: the trace must refuse, not freeze it. */
    static final class ZerosFromSize extends Module {
        final Linear fc = new Linear(4, 4);

        @Override
        public Tensor forward(Tensor x) { return fc.forward(x).add(Torch.zeros(x.size(0), 4)); }
    }

    @Test
    void aSizeTheTracerCannotFollowIsRefusedLoudly() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Jit.trace(new ZerosFromSize(), new Tensor[] {Torch.randn(2, 4)}, List.of("x"), List.of(), Map.of("x", Map.of(0, "batch"))));
        assertTrue(e.getMessage().contains("creates a tensor in its forward whose shape or values follow a dynamic axis"), e.getMessage());
        assertTrue(e.getMessage().contains("(add"), e.getMessage());
    }

    @Test
    void anInPlaceWriteThroughAViewIsRefused() {
        Module m = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                Tensor y = x.mul(2.0);
                y.narrow(1, 0, 1).relu_();
                return y;
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Jit.trace(m, Torch.randn(2, 3)));
        assertTrue(e.getMessage().contains("cannot trace the in-place relu_ on a view of another traced value"), e.getMessage());
    }

    @Test
    void badDynamicAxesAreNamed() {
        Module m = cnn();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Jit.trace(m, new Tensor[] {Torch.randn(2, 1, 8, 8)}, List.of("x"), List.of(), Map.of("z", Map.of(0, "batch"))));
        assertTrue(e.getMessage().contains("'z', which is neither an input [x] nor an output [output]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Jit.trace(m, new Tensor[] {Torch.randn(2, 1, 8, 8)}, List.of("x"), List.of(), Map.of("x", Map.of(4, "batch"))));
        assertTrue(e.getMessage().contains("dynamic axis 4 of input 'x' is out of range"), e.getMessage());
    }
}
