package dev.kindling.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Module's contract: names, order, printing and state dicts as PyTorch's (fixtures), modes, conversion, gradients. */
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
class ModuleContractTest {

    @TestFactory
    Stream<DynamicTest> printsAsPyTorch() {
        Map<String, Module> models = PyTorchModels.all();
        List<DynamicTest> tests = new ArrayList<>();
        Fixtures.root().get("repr").fields().forEachRemaining(e -> tests.add(DynamicTest.dynamicTest(e.getKey(),
                () -> assertEquals(e.getValue().asText(), models.get(e.getKey()).toString()))));
        assertEquals(models.size(), tests.size());
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> namesAndOrderAsPyTorch() {
        Map<String, Module> models = PyTorchModels.all();
        List<DynamicTest> tests = new ArrayList<>();
        Fixtures.root().get("structure").fields().forEachRemaining(e -> tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
            Module m = models.get(e.getKey());
            JsonNode s = e.getValue();
            List<String> params = new ArrayList<>();
            m.namedParameters().forEach((k, p) -> params.add(k + " " + Arrays.toString(p.shape())));
            assertEquals(lines(s.get("parameters"), false), params, "namedParameters");
            List<String> buffers = new ArrayList<>();
            m.namedBuffers().forEach((k, b) -> buffers.add(k + " " + Arrays.toString(b.shape()) + " " + b.dtype().torchName().replace("torch.", "")));
            assertEquals(lines(s.get("buffers"), true), buffers, "namedBuffers");
            assertEquals(strings(s.get("state_dict")), new ArrayList<>(m.stateDict().keySet()), "stateDict");
            assertEquals(strings(s.get("modules")), new ArrayList<>(m.namedModules().keySet()), "namedModules");
            assertEquals(strings(s.get("children")), new ArrayList<>(m.namedChildren().keySet()), "namedChildren");
            assertEquals(m.namedParameters().size(), m.parameters().size());
            for (Tensor p : m.parameters()) assertTrue(p.isLeaf() && p.requiresGrad(), "parameters are leaves that require grad");
        })));
        return tests.stream();
    }

    private static List<String> lines(JsonNode rows, boolean withDtype) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : rows) {
            long[] shape = new long[r.get(1).size()];
            for (int i = 0; i < shape.length; i++) shape[i] = r.get(1).get(i).asLong();
            out.add(r.get(0).asText() + " " + Arrays.toString(shape) + (withDtype ? " " + r.get(2).asText() : ""));
        }
        return out;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Module loadModel() { return new Sequential(new Linear(2, 3), new BatchNorm1d(3), new Sequential(new Linear(3, 1))); }

    @TestFactory
    Stream<DynamicTest> loadStateDictReportsAsPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.root().get("load_state_dict")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                Map<String, Tensor> sd = new LinkedHashMap<>();
                c.get("keys").fields().forEachRemaining(e -> {
                    long[] shape = new long[e.getValue().size()];
                    for (int i = 0; i < shape.length; i++) shape[i] = e.getValue().get(i).asLong();
                    DType dt = c.get("dtypes").get(e.getKey()).asText().equals("int64") ? DType.INT64 : DType.FLOAT32;
                    sd.put(e.getKey(), Torch.zeros(dt, shape));
                });
                for (String mode : List.of("strict", "lenient")) {
                    JsonNode expected = c.get(mode);
                    boolean strict = mode.equals("strict");
                    if (expected.has("error")) {
                        StateDictException ex = assertThrows(StateDictException.class, () -> loadModel().loadStateDict(sd, strict));
                        assertEquals(expected.get("error").asText(), ex.getMessage(), mode);
                    } else {
                        Module.IncompatibleKeys r = loadModel().loadStateDict(sd, strict);
                        assertEquals(strings(expected.get("missing")), r.missingKeys(), mode + " missing");
                        assertEquals(strings(expected.get("unexpected")), r.unexpectedKeys(), mode + " unexpected");
                    }
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void loadStateDictCopiesInPlaceWithoutRecording() {
        Linear a = new Linear(3, 2);
        Linear b = new Linear(3, 2);
        Tensor weightBefore = b.weight();
        Map<String, Tensor> sd = a.stateDict();
        assertFalse(sd.get("weight").requiresGrad(), "state dict values are detached");
        b.loadStateDict(sd);
        assertSame(weightBefore, b.weight(), "parameters keep their identity (optimizers still hold them)");
        assertTrue(b.weight().equal(a.weight()));
        assertTrue(b.weight().isLeaf() && b.weight().requiresGrad() && b.weight().gradFn() == null);
        // the state dict shares storage with the module, as PyTorch's
        try (var g = Torch.noGrad()) {
            a.weight().fill_(7);
        }
        assertEquals(7.0, sd.get("weight").get(0, 0).item());
        // a float64 checkpoint is cast into the float32 parameters
        Map<String, Tensor> doubles = new LinkedHashMap<>();
        sd.forEach((k, v) -> doubles.put(k, v.toDouble()));
        b.loadStateDict(doubles);
        assertEquals(DType.FLOAT32, b.weight().dtype());
        assertEquals(7.0, b.weight().get(1, 2).item());
    }

    @Test
    void trainAndEvalPropagate() {
        Sequential m = new Sequential(new Linear(4, 4), new Sequential(new Dropout(0.5), new BatchNorm1d(4)));
        assertTrue(m.isTraining());
        m.eval();
        for (Module x : m.modules()) assertFalse(x.isTraining(), x.toString());
        Tensor in = Torch.randn(8, 4);
        Tensor out1 = m.forward(in);
        assertTrue(out1.equal(m.forward(in)), "evaluation is deterministic");
        m.train();
        for (Module x : m.modules()) assertTrue(x.isTraining());
        Dropout d = new Dropout(0.5);
        Torch.manualSeed(3);
        Tensor y = d.forward(Torch.ones(1000));
        double zeros = y.eq(0.0).sum().item();
        assertTrue(zeros > 400 && zeros < 600, "about half dropped: " + zeros);
        assertTrue(y.maskedSelect(y.ne(0.0)).eq(2.0).all().item() != 0, "kept elements are scaled by 1/(1-p)");
        d.eval();
        Tensor x = Torch.randn(5);
        assertSame(x, d.forward(x));
    }

    @Test
    void batchNormRunningStatisticsFollowMomentum() {
        BatchNorm1d bn = new BatchNorm1d(2);
        Tensor x = Torch.tensor(new float[][] {{1, 10}, {3, 20}, {5, 60}});
        bn.forward(x);
        assertEquals(1, bn.numBatchesTracked().itemLong());
        assertEquals(DType.INT64, bn.numBatchesTracked().dtype());
        assertArrayEquals(new float[] {0.3f, 3.0f}, bn.runningMean().toFloatArray(), 1e-6f);
        // unbiased variances 4 and 700: 0.9 * 1 + 0.1 * v
        assertArrayEquals(new float[] {1.3f, 70.9f}, bn.runningVar().toFloatArray(), 1e-4f);
        bn.eval();
        Tensor y = bn.forward(Torch.tensor(new float[][] {{0.3f, 3f}}));
        assertArrayEquals(new float[] {0, 0}, y.toFloatArray(), 1e-6f);
        assertEquals(1, bn.numBatchesTracked().itemLong(), "evaluation does not count batches");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(2).forward(Torch.ones(1, 2)));
        assertEquals("Expected more than 1 value per channel when training, got input size torch.Size([1, 2])", e.getMessage());
        assertEquals("expected 4D input (got 2D input)", assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(2).forward(Torch.ones(3, 2))).getMessage());
    }

    @Test
    void toDtypeConvertsFloatingParametersBuffersAndGrads() {
        Sequential m = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
        m.forward(Torch.randn(4, 3)).sum().backward();
        Tensor oldWeight = m.get(0).namedParameters().get("weight");
        Tensor oldValues = oldWeight.detach().clone();
        Tensor oldGrad = oldWeight.grad();
        m.to(DType.FLOAT64);
        Tensor w = ((Linear) m.get(0)).weight();
        assertSame(oldWeight, w, "converted in place: the same tensor object");
        assertEquals(DType.FLOAT64, w.dtype());
        assertTrue(w.isLeaf() && w.requiresGrad());
        assertSame(oldGrad, w.grad(), "the gradient is converted in place too");
        assertEquals(DType.FLOAT64, w.grad().dtype());
        assertTrue(w.equal(oldValues.toDouble()));
        assertEquals(DType.FLOAT64, ((BatchNorm1d) m.get(1)).runningMean().dtype());
        assertEquals(DType.INT64, ((BatchNorm1d) m.get(1)).numBatchesTracked().dtype(), "integer buffers keep their dtype");
        assertEquals(DType.FLOAT64, m.forward(Torch.randn(DType.FLOAT64, 4, 3)).dtype());
        assertSame(m, m.to(DType.FLOAT64));
        assertThrows(IllegalArgumentException.class, () -> m.to(DType.INT64));
        m.to(dev.kindling.api.Device.CPU);
        assertEquals(DType.FLOAT64, ((Linear) m.get(0)).weight().dtype());
    }

    @Test
    void zeroGradAndRequiresGrad() {
        Linear l = new Linear(3, 2);
        l.forward(Torch.ones(1, 3)).sum().backward();
        Tensor g = l.weight().grad();
        l.zeroGrad();
        assertSame(g, l.weight().grad(), "zeroed in place (PyTorch 1.13's default)");
        assertEquals(0.0, g.abs().sum().item());
        l.zeroGrad(true);
        assertNull(l.weight().grad());
        l.requiresGrad_(false);
        assertFalse(l.weight().requiresGrad());
        assertFalse(l.forward(Torch.ones(1, 3)).requiresGrad());
    }

    @Test
    void applyVisitsChildrenFirstAndModulesAreUnique() {
        Linear shared = new Linear(2, 2);
        Sequential m = new Sequential(shared, new ReLU(), shared);
        List<String> seen = new ArrayList<>();
        m.apply(x -> seen.add(x.getClass().getSimpleName()));
        assertEquals(List.of("Linear", "ReLU", "Sequential"), seen, "children are unique, as PyTorch's");
        assertEquals(List.of("", "0", "1"), new ArrayList<>(m.namedModules().keySet()), "a shared module is listed once");
        assertEquals(List.of("0.weight", "0.bias"), new ArrayList<>(m.namedParameters().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(m.stateDict().keySet()), "the state dict lists every name");
        assertSame(shared, m.get(-1));
        assertEquals(3, m.size());
        assertThrows(IndexOutOfBoundsException.class, () -> m.get(3));
    }

    @Test
    void registrationChecksAndDottedLookup() {
        Module m = new Sequential(new Sequential(new Linear(2, 3)));
        assertSame(((Sequential) ((Sequential) m).get(0)).get(0), m.getSubmodule("0.0"));
        assertArrayEquals(new long[] {3, 2}, m.getParameter("0.0.weight").shape());
        assertThrows(IllegalArgumentException.class, () -> m.getSubmodule("0.1"));
        Module custom = new Identity();
        assertThrows(IllegalArgumentException.class, () -> custom.registerParameter("a.b", Torch.zeros(2)));
        assertThrows(IllegalArgumentException.class, () -> custom.registerParameter("", Torch.zeros(2)));
        Tensor leaf = Torch.zeros(2).requiresGrad_(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> custom.registerParameter("w", leaf.mul(2.0)));
        assertTrue(e.getMessage().startsWith("Cannot assign non-leaf Tensor to parameter 'w'"));
        custom.registerBuffer("stat", Torch.zeros(2));
        assertThrows(IllegalArgumentException.class, () -> custom.registerParameter("stat", Torch.zeros(2)));
        Tensor p = custom.registerParameter("w", Torch.zeros(2));
        assertTrue(p.requiresGrad() && p.isLeaf());
        custom.registerBuffer("tmp", Torch.ones(1), false);
        assertEquals(List.of("w", "stat"), new ArrayList<>(custom.stateDict().keySet()), "non-persistent buffers stay out of the state dict");
        assertEquals(List.of("stat", "tmp"), new ArrayList<>(custom.namedBuffers().keySet()));
    }

    @Test
    void lossesTakeTwoOrThreeTensorsAndLayersOne() {
        Tensor a = Torch.randn(2, 3);
        assertEquals(new MSELoss().forward(a, a.mul(2.0)).item(), new MSELoss().forward(new Tensor[] {a, a.mul(2.0)}).item());
        assertThrows(UnsupportedOperationException.class, () -> new MSELoss().forward(a));
        assertThrows(UnsupportedOperationException.class, () -> new MSELoss().forward(a, a, a));
        assertThrows(IllegalArgumentException.class, () -> new Linear(3, 2).forward(a, a));
        assertThrows(IllegalArgumentException.class, () -> new MSELoss("avg"));
        assertEquals("avg is not a valid value for reduction", assertThrows(IllegalArgumentException.class, () -> new L1Loss("avg")).getMessage());
        CrossEntropyLoss ce = CrossEntropyLoss.builder().weight(Torch.ones(3)).build();
        assertEquals(List.of("weight"), new ArrayList<>(ce.stateDict().keySet()), "class weights are a buffer, as PyTorch's");
        assertEquals(List.of("weight", "pos_weight"),
                new ArrayList<>(BCEWithLogitsLoss.builder().weight(Torch.ones(3)).posWeight(Torch.ones(3)).build().stateDict().keySet()));
    }

    @Test
    void layerErrorsAreWordedAsPyTorch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3).forward(Torch.randn(2, 5, 8, 8)));
        assertEquals("Given groups=1, weight of size [4, 3, 3, 3], expected input[2, 5, 8, 8] to have 3 channels, but got 5 channels instead", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 5).forward(Torch.randn(1, 3, 3, 3)));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3, 1, 0, 1, 2, true), "in_channels must be divisible by groups");
        assertEquals("pad should be at most half of kernel size, but got pad=2 and kernel_size=2",
                assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 2, 2).forward(Torch.randn(1, 1, 4, 4))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Embedding(5, 2).forward(Torch.ones(3)));
        assertThrows(IllegalArgumentException.class, () -> new LSTM(3, 4).forward(Torch.randn(5, 2, 4)));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
        assertEquals("Target 7 is out of bounds.",
                assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss().forward(Torch.randn(2, 3), Torch.tensor(new long[] {0, 7}))).getMessage());
    }

    @Test
    void recurrentStateCarriesOver() {
        LSTM lstm = new LSTM(3, 4, 2, true);
        Tensor x = Torch.randn(2, 6, 3);
        RnnOutput whole = lstm.forward(x, (RnnOutput) null);
        RnnOutput first = lstm.forward(x.narrow(1, 0, 4), (RnnOutput) null);
        RnnOutput rest = lstm.forward(x.narrow(1, 4, 2), first);
        assertTrue(whole.h().allclose(rest.h(), 1e-5, 1e-6));
        assertTrue(whole.c().allclose(rest.c(), 1e-5, 1e-6));
        assertTrue(whole.output().narrow(1, 4, 2).allclose(rest.output(), 1e-5, 1e-6));
        assertTrue(whole.output().equal(lstm.forward(x)), "forward(x) is the output sequence");
        GRU gru = new GRU(3, 5);
        RnnOutput g = gru.forward(Torch.randn(4, 2, 3), Torch.zeros(1, 2, 5));
        assertNull(g.c());
        assertArrayEquals(new long[] {1, 2, 5}, g.h().shape());
    }

    @Test
    void generatorsGiveReproducibleInitialisation() {
        Linear a = new Linear(4, 3);
        Linear b = new Linear(4, 3);
        a.resetParameters(new dev.kindling.api.Generator(11));
        b.resetParameters(new dev.kindling.api.Generator(11));
        assertTrue(a.weight().equal(b.weight()) && a.bias().equal(b.bias()));
        Torch.manualSeed(5);
        Tensor w1 = new Conv2d(2, 3, 3).weight();
        Torch.manualSeed(5);
        assertTrue(w1.equal(new Conv2d(2, 3, 3).weight()));
    }
}
