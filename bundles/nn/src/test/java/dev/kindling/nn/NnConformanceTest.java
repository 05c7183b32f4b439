package dev.kindling.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.kindling.nn.Fixtures.assertClose;
import static dev.kindling.nn.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Every layer and loss against PyTorch 1.13 (fixtures from src/test/python/generate_nn_fixtures.py): the module is
 * built with Kindling's constructors from PyTorch's arguments, loaded with PyTorch's state dict, and its outputs, the
 * gradients of {@code sum(output_i * r_i)} with respect to the inputs and every parameter, and its state afterwards
 * (BatchNorm running statistics) must match within float32 accuracy.
 */
class NnConformanceTest {
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-6;

    @TestFactory
    Stream<DynamicTest> layersMatchPyTorch() { return cases("layers"); }

    @TestFactory
    Stream<DynamicTest> lossesMatchPyTorch() { return cases("losses"); }

    private Stream<DynamicTest> cases(String section) {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.root().get(section)) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> run(c, name)));
        }
        return tests.stream();
    }

    private static void run(JsonNode c, String name) {
        String type = c.get("type").asText();
        JsonNode args = c.get("args");
        Module m = ModuleFactory.layerOrLoss(type, args);
        m.loadStateDict(Fixtures.tensors(c.get("state")));
        m.train(c.get("train").asBoolean());
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; i < c.get("inputs").size(); i++) {
            Tensor t = tensor(c.get("inputs").get(i));
            if (t != null && c.get("requires_grad").get(i).asBoolean()) t.requiresGrad_(true);
            inputs.add(t);
        }
        List<Tensor> outs = call(name, m, inputs);
        JsonNode expected = c.get("outputs");
        assertEquals(expected.size(), outs.size(), name + ": number of outputs");
        Tensor total = null;
        for (int i = 0; i < outs.size(); i++) {
            assertClose(expected.get(i), outs.get(i), RTOL, ATOL, name + " output " + i);
            Tensor r = tensor(c.get("r").get(i));
            if (r != null && outs.get(i).requiresGrad()) {
                Tensor term = outs.get(i).mul(r).sum();
                total = total == null ? term : total.add(term);
            }
        }
        if (total != null) total.backward();
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode g = c.get("input_grads").get(i);
            if (g.isNull()) {
                if (inputs.get(i) != null) assertNull(inputs.get(i).grad(), name + ": input " + i + " should get no gradient");
                continue;
            }
            assertNotNull(inputs.get(i).grad(), name + ": input " + i + " got no gradient");
            assertClose(g, inputs.get(i).grad(), RTOL, ATOL, name + " grad of input " + i);
        }
        Map<String, Tensor> params = m.namedParameters();
        JsonNode pg = c.get("param_grads");
        assertEquals(sorted(pg.fieldNames()), sorted(params.keySet().iterator()), name + ": parameters with gradients");
        pg.fields().forEachRemaining(e -> assertClose(e.getValue(), params.get(e.getKey()).grad(), RTOL, ATOL, name + " grad of " + e.getKey()));
        Map<String, Tensor> after = m.stateDict();
        assertEquals(sorted(c.get("state_after").fieldNames()), sorted(after.keySet().iterator()), name + ": state dict keys");
        c.get("state_after").fields().forEachRemaining(e -> assertClose(e.getValue(), after.get(e.getKey()), RTOL, ATOL, name + " state " + e.getKey()));
    }

    private static List<String> sorted(java.util.Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        l.sort(null);
        return l;
    }

    /** Calls the module as the generator did and flattens its result (output, h, c / output, weights). */
    private static List<Tensor> call(String name, Module m, List<Tensor> in) {
        if (m instanceof RNNBase) {
            RnnOutput o;
            if (in.size() == 1) o = ((RNNBase) m).forward(in.get(0), (RnnOutput) null);
            else if (m instanceof LSTM) o = ((LSTM) m).forward(in.get(0), in.get(1), in.get(2));
            else o = ((RNNBase) m).forward(in.get(0), RnnOutput.state(in.get(1), null));
            List<Tensor> out = new ArrayList<>(Arrays.asList(o.output(), o.h()));
            if (o.c() != null) out.add(o.c());
            return out;
        }
        if (m instanceof MultiheadAttention) {
            Tensor q = in.get(0);
            Tensor k = in.size() > 1 ? in.get(1) : q;
            Tensor v = in.size() > 2 ? in.get(2) : q;
            Tensor kpm = in.size() > 3 ? in.get(3) : null;
            Tensor am = in.size() > 4 ? in.get(4) : null;
            AttentionOutput o = ((MultiheadAttention) m).forward(q, k, v, kpm, true, am, !name.contains("per_head"));
            return List.of(o.output(), o.weights());
        }
        return List.of(m.forward(in.toArray(new Tensor[0])));
    }

    @TestFactory
    Stream<DynamicTest> defaultInitialisationMatchesPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.root().get("init")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Torch.manualSeed(c.get("seed").asLong());
                Module m = ModuleFactory.layerOrLoss(c.get("type").asText(), c.get("args"));
                Map<String, Tensor> sd = m.stateDict();
                assertEquals(sorted(c.get("state").fieldNames()), sorted(sd.keySet().iterator()), name + ": keys");
                // The same draws; PyTorch's CPU kernels fuse x*(to-from)+from into an FMA, so values near zero differ in the last bits.
                c.get("state").fields().forEachRemaining(e -> assertClose(e.getValue(), sd.get(e.getKey()), 1e-6, 1e-6, name + " " + e.getKey()));
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> randomStreamsMatchPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.root().get("random")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Torch.manualSeed(c.get("seed").asLong());
                Tensor out = randomCase(name);
                assertClose(c.get("output"), out, 1e-6, 1e-6, name);
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> padMatchesPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.root().get("functional")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Tensor x = tensor(c.get("input")).requiresGrad_(true);
                long[] pad = new long[c.get("pad").size()];
                for (int i = 0; i < pad.length; i++) pad[i] = c.get("pad").get(i).asLong();
                Tensor y = F.pad(x, pad, c.get("mode").asText(), c.get("value").asDouble());
                assertClose(c.get("output"), y, RTOL, ATOL, name);
                y.mul(tensor(c.get("r"))).sum().backward();
                assertClose(c.get("grad"), x.grad(), RTOL, ATOL, name + " grad");
            }));
        }
        return tests.stream();
    }

    private static Tensor randomCase(String name) {
        switch (name) {
            case "dropout_p0.3": return F.dropout(Torch.ones(4, 8), 0.3, true);
            case "dropout_module_p0.5": return new Dropout(0.5).forward(Torch.arange(1.0, 25.0, 1.0).view(2, 3, 4));
            case "kaiming_uniform_fan_out_relu": return init.kaimingUniform_(Torch.empty(6, 4, 3), 0, "fan_out", "relu");
            case "kaiming_uniform_default": return init.kaimingUniform_(Torch.empty(5, 7));
            case "kaiming_normal_default": return init.kaimingNormal_(Torch.empty(8, 4));
            case "kaiming_normal_fan_out_leaky": return init.kaimingNormal_(Torch.empty(4, 2, 3, 3), 0.1, "fan_out", "leaky_relu");
            case "xavier_uniform_gain": return init.xavierUniform_(Torch.empty(5, 6), init.calculateGain("tanh"));
            case "xavier_normal": return init.xavierNormal_(Torch.empty(6, 5));
            case "uniform_range": return init.uniform_(Torch.empty(4, 5), -2.0, 3.0);
            case "normal_mean_std": return init.normal_(Torch.empty(4, 5), 1.5, 0.5);
            default: throw new AssertionError("no Kindling expression for random case " + name);
        }
    }
}
