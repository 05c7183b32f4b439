package dev.kindling.autograd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradients of composite expressions against PyTorch (fixtures from src/test/python/generate_grad_fixtures.py): the
 * same expression, written with Kindling's API under the fixture's name.
 */
class PyTorchGradientFixturesTest {

    private static final Map<String, Function<Tensor[], Tensor>> EXPRS = new HashMap<>();

    private static Tensor eye3() { return Torch.eye(DType.FLOAT64, 3); }

    static {
        EXPRS.put("mlp_log_softmax", in -> in[0].matmul(in[1]).add(in[2]).relu().matmul(in[3]).add(in[4]).logSoftmax(1));
        EXPRS.put("cross_entropy", in -> in[0].logSoftmax(1).mul(in[1]).sum(1).mean().neg());
        EXPRS.put("tanh_sigmoid_mix", in -> in[0].mul(in[1]).tanh().sigmoid().add(in[0].sub(in[1]).abs().sqrt()));
        EXPRS.put("norm_div", in -> in[0].div(in[0].norm(2, 1, true)));
        EXPRS.put("logsumexp_where", in -> Torch.where(in[0].gt(0.0), in[0], in[1]).logsumexp(0));
        EXPRS.put("batched_matmul_broadcast", in -> in[0].matmul(in[1]).pow(2.0).mean(new int[] {0, 2}, false));
        EXPRS.put("var_std_prod", in -> in[0].var(1, false).add(in[0].std().mul(in[0].prod(0, false).sum())));
        EXPRS.put("max_min_clamp", in -> in[0].max(1).values().add(in[0].min()).add(in[0].clamp(-0.5, 0.5).sum(1)));
        EXPRS.put("cat_stack_index", in -> Torch.stack(1, Torch.cat(0, in[0], in[1]).index("1:4"), in[1].repeat(3, 1).index(":3"))
                .exp().sum(1));
        EXPRS.put("gather_scatter", in -> in[0].gather(1, Torch.tensor(new long[][] {{0, 2}, {1, 1}, {2, 0}})).mul(3.0)
                .add(in[0].indexSelect(0, Torch.tensor(new long[] {2, 0})).sum()));
        EXPRS.put("inverse_softmax", in -> in[0].add(eye3().mul(3.0)).inverse().softmax(0));
        EXPRS.put("masked_fill_select", in -> in[0].maskedFill(in[0].lt(0.0), 0.5).square().add(in[0].maskedSelect(in[0].gt(0.0)).sum()));
    }

    private static Tensor build(JsonNode t) {
        JsonNode d = t.get("data");
        double[] v = new double[d.size()];
        for (int i = 0; i < v.length; i++) v[i] = d.get(i).asDouble();
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.get("shape").get(i).asLong();
        return Torch.tensor(v, new long[] {v.length}).reshape(shape);
    }

    private static void assertClose(JsonNode expected, Tensor actual, String what) {
        Tensor e = build(expected);
        assertArrayEquals(e.shape(), actual.shape(), what + " shape");
        double[] a = actual.toDoubleArray();
        double[] x = e.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals(x[i], a[i], 1e-9 + 1e-9 * Math.abs(x[i]), what + " element " + i);
        }
    }

    @TestFactory
    Stream<DynamicTest> gradientsMatchPyTorch() throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/grads.json")) {
            assertNotNull(in, "fixtures/grads.json missing");
            root = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Function<Tensor[], Tensor> fn = EXPRS.get(name);
                assertNotNull(fn, "no Kindling expression for fixture " + name);
                Tensor[] inputs = new Tensor[c.get("inputs").size()];
                for (int i = 0; i < inputs.length; i++) inputs[i] = build(c.get("inputs").get(i)).requiresGrad_(true);
                Tensor out = fn.apply(inputs);
                assertClose(c.get("output"), out, name + " output");
                out.sum().backward();
                for (int i = 0; i < inputs.length; i++) {
                    JsonNode g = c.get("grads").get(i);
                    if (g.isNull()) continue;
                    assertNotNull(inputs[i].grad(), name + ": input " + i + " got no gradient");
                    assertClose(g, inputs[i].grad(), name + " grad of input " + i);
                }
            }));
        }
        assertEquals(EXPRS.size(), tests.size(), "every expression has a fixture");
        return tests.stream();
    }

    @Test
    void requiresGradPrintsAsPyTorch() {
        // The three printing cases of the CPU backend's fixtures that need autograd.
        assertEquals("tensor([1.0000, 2.5000], requires_grad=True)", Torch.tensor(new float[] {1, 2.5f}).requiresGrad_(true).toString());
        assertEquals("tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)",
                Torch.tensor(new float[][] {{1, 2}, {3, 4}}).requiresGrad_(true).toString());
        assertEquals("tensor(1.5000, requires_grad=True)", Torch.tensor(1.5).requiresGrad_(true).toString());
        assertTrue(Torch.tensor(1.5).requiresGrad_(true).mul(2.0).toString().endsWith("grad_fn=<MulBackward0>)"));
    }
}
