package dev.kindling.nn;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fields of Module subclasses registered as PyTorch's __setattr__ does; in-place conversion; Parameter. */
class ModuleFieldsTest {

    /** As in PyTorch: {@code self.conv = ...; self.fc1 = ...; self.scale = nn.Parameter(...); self.fc2 = ...}. */
    static class Net extends Module {
        Conv2d conv = new Conv2d(1, 4, 3, 1, 1);
        Linear fc1 = new Linear(4 * 8 * 8, 32);
        Tensor scale = Parameter.of(Torch.ones(1));
        Linear fc2 = new Linear(32, 10);
        Tensor notAParameter = Torch.zeros(2);
        int width = 32;

        @Override
        public Tensor forward(Tensor x) {
            x = F.maxPool2d(F.relu(conv.forward(x)), 2);
            return fc2.forward(F.relu(fc1.forward(x.view(x.size(0), -1)))).mul(scale);
        }
    }

    // from /usr/bin/python3 (torch 1.13) with the same class written in PyTorch
    static final List<String> NET_PARAMETERS = List.of("scale", "conv.weight", "conv.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    static final String NET_REPR = "Net(\n"
            + "  (conv): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            + "  (fc1): Linear(in_features=256, out_features=32, bias=True)\n"
            + "  (fc2): Linear(in_features=32, out_features=10, bias=True)\n"
            + ")";

    @Test
    void fieldsAreRegisteredUnderTheirNamesInPyTorchsOrder() {
        Net net = new Net();
        assertEquals(NET_PARAMETERS, new ArrayList<>(net.namedParameters().keySet()));
        assertEquals(NET_PARAMETERS, new ArrayList<>(net.stateDict().keySet()));
        assertEquals(NET_REPR, net.toString());
        assertEquals(List.of("conv", "fc1", "fc2"), new ArrayList<>(net.namedChildren().keySet()));
        assertSame(net.fc1, net.getSubmodule("fc1"));
        assertSame(net.scale, net.getParameter("scale"));
        assertSame(net.fc1.weight(), net.namedParameters().get("fc1.weight"));
        assertTrue(net.scale.requiresGrad() && net.scale.isLeaf());
        assertArrayEquals(new long[] {2, 10}, net.forward(Torch.rand(2, 1, 16, 16)).shape());
    }

    static class Base extends Module {
        Linear a = new Linear(2, 2);

        @Override
        public Tensor forward(Tensor x) { return a.forward(x); }
    }

    static class Derived extends Base {
        Linear b;
        final Linear explicit;
        final Linear alias;

        Derived() {
            explicit = registerModule("explicit_name", new Linear(2, 2));
            b = new Linear(2, 3);       // assigned in the constructor body, after the registration above
            alias = explicit;           // already registered under another name: an alias, not a second child
            registerBuffer("mean", Torch.zeros(2));
        }
    }

    @Test
    void superclassFieldsComeFirstAndConstructorAssignmentsAndExplicitRegistrationsMix() {
        Derived d = new Derived();
        assertEquals(List.of("a", "explicit_name", "b"), new ArrayList<>(d.namedChildren().keySet()));
        assertEquals(List.of("a.weight", "a.bias", "explicit_name.weight", "explicit_name.bias", "b.weight", "b.bias"),
                new ArrayList<>(d.namedParameters().keySet()));
        assertEquals(List.of("mean", "a.weight", "a.bias", "explicit_name.weight", "explicit_name.bias", "b.weight", "b.bias"),
                new ArrayList<>(d.stateDict().keySet()));
    }

    @Test
    void reassignedAndClearedFieldsAreHandledAsPyTorchAttributes() {
        Derived d = new Derived();
        d.parameters(); // registers the fields
        Linear newA = new Linear(2, 5);
        d.a = newA;                        // replaces in place, keeping its position
        assertEquals(List.of("a", "explicit_name", "b"), new ArrayList<>(d.namedChildren().keySet()));
        assertSame(newA, d.getSubmodule("a"));
        d.b = null;                        // drops the child
        assertEquals(List.of("a", "explicit_name"), new ArrayList<>(d.namedChildren().keySet()));
        d.registerModule("a", new Identity()); // an explicit registration after the field's last change wins
        assertEquals("Identity", d.getSubmodule("a").getClass().getSimpleName());
        d.a = new Linear(2, 2);            // until the field changes again
        assertTrue(d.getSubmodule("a") instanceof Linear);
    }

    static class WithParam extends Module {
        Tensor w = Parameter.of(Torch.ones(3));

        @Override
        public Tensor forward(Tensor x) { return x.mul(w); }
    }

    @Test
    void parameterFieldsSetToNullStayAbsentAndPlainTensorsAreRefused() {
        WithParam m = new WithParam();
        assertEquals(List.of("w"), new ArrayList<>(m.namedParameters().keySet()));
        m.w = null;
        assertTrue(m.namedParameters().isEmpty());
        assertTrue(m.stateDict().isEmpty());
        m.w = Parameter.of(Torch.zeros(2));
        assertEquals(List.of("w"), new ArrayList<>(m.namedParameters().keySet()));
        m.w = Torch.ones(2); // PyTorch: cannot assign 'torch.FloatTensor' as parameter 'w'
        IllegalStateException e = assertThrows(IllegalStateException.class, m::parameters);
        assertTrue(e.getMessage().contains("parameter 'w'"), e.getMessage());
    }

    @Test
    void parameterOfSharesStorageAsALeafThatRequiresGrad() {
        Tensor data = Torch.zeros(2);
        Tensor p = Parameter.of(data);
        assertTrue(Parameter.isParameter(p) && p.requiresGrad() && p.isLeaf());
        assertFalse(Parameter.isParameter(data));
        data.fill_(3.0);
        assertArrayEquals(new float[] {3, 3}, p.toFloatArray());
        assertFalse(Parameter.of(Torch.ones(1), false).requiresGrad());
        assertTrue(Parameter.isParameter(new Linear(2, 2).weight()), "registered parameters are parameters");
    }

    @Test
    void anOptimizerStyleReferenceSurvivesToInPlace() {
        Net net = new Net();
        List<Tensor> before = net.parameters();
        net.forward(Torch.rand(2, 1, 16, 16)).sum().backward();
        Tensor grad = net.fc1.weight().grad();
        assertSame(net, net.to(DType.FLOAT64));
        List<Tensor> after = net.parameters();
        for (int i = 0; i < before.size(); i++) assertSame(before.get(i), after.get(i));
        for (Tensor p : after) assertEquals(DType.FLOAT64, p.dtype());
        assertSame(grad, net.fc1.weight().grad());
        assertEquals(DType.FLOAT64, grad.dtype());
        assertEquals(DType.FLOAT64, net.scale.dtype(), "the field sees the converted tensor");
        assertEquals(DType.FLOAT64, net.forward(Torch.rand(DType.FLOAT64, 2, 1, 16, 16)).dtype());
        assertSame(net, net.cpu());
        assertSame(net, net.to(Device.CPU));
        net.toFloat();
        assertEquals(DType.FLOAT32, net.fc2.bias().dtype());
        net.half();
        assertEquals(DType.FLOAT16, net.fc2.bias().dtype());
        net.bfloat16();
        assertEquals(DType.BFLOAT16, net.fc2.bias().dtype());
    }

    @Test
    void dtypeConversionLeavesIntegerBuffersAndMovesFloatingOnesInPlace() {
        BatchNorm1d bn = new BatchNorm1d(3);
        Tensor mean = bn.runningMean();
        Tensor count = bn.numBatchesTracked();
        bn.half();
        assertSame(mean, bn.runningMean());
        assertEquals(DType.FLOAT16, mean.dtype());
        assertSame(count, bn.numBatchesTracked());
        assertEquals(DType.INT64, count.dtype());
    }

    @Test
    void gradientsFlowAfterAnInPlaceMove() {
        Linear l = new Linear(3, 1);
        Tensor w = l.weight();
        l.to(DType.FLOAT64);
        l.forward(Torch.ones(DType.FLOAT64, 2, 3)).sum().backward();
        assertEquals(DType.FLOAT64, w.grad().dtype());
        assertArrayEquals(new double[] {2, 2, 2}, w.grad().toDoubleArray());
    }

    @Test
    void conv2dWithoutBiasIsContiguousForBatches() {
        Conv2d c = new Conv2d(1, 2, 3, 1, 0, 1, 1, false);
        Tensor y = c.forward(Torch.rand(3, 1, 5, 5));
        assertTrue(y.isContiguous(), "PyTorch's conv2d output is contiguous");
        assertArrayEquals(new long[] {3, 18}, y.view(3, -1).shape());
        Conv2d withBias = new Conv2d(1, 2, 3);
        withBias.loadStateDict(Map.of("weight", c.weight(), "bias", Torch.zeros(2)));
        assertArrayEquals(withBias.forward(Torch.ones(3, 1, 5, 5)).toFloatArray(), c.forward(Torch.ones(3, 1, 5, 5)).toFloatArray(), 1e-6f);
    }

    @Test
    void convenienceConstructorsAsPyTorch() {
        assertEquals("MaxPool2d(kernel_size=2, stride=1, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(2, 1).toString());
        assertEquals("AvgPool2d(kernel_size=3, stride=2, padding=0)", new AvgPool2d(3, 2).toString());
        Tensor pw = Torch.tensor(new float[] {3f});
        BCEWithLogitsLoss bce = new BCEWithLogitsLoss(pw);
        assertSame(pw, bce.posWeight());
        assertNull(bce.weight());
        assertEquals("mean", bce.reduction());
    }

    @Test
    void loadStateDictPrintsAsPyTorch() {
        Net net = new Net();
        Module.IncompatibleKeys r = net.loadStateDict(net.stateDict());
        assertEquals("<All keys matched successfully>", r.toString());
        assertTrue(r.allKeysMatched());
        Map<String, Tensor> partial = Map.of("conv.weight", net.conv.weight(), "x", Torch.ones(1));
        r = net.loadStateDict(new java.util.LinkedHashMap<>(partial), false);
        assertEquals("_IncompatibleKeys(missing_keys=['scale', 'conv.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'], "
                + "unexpected_keys=['x'])", r.toString());
    }

    /** A custom two-input loss, as a PyTorch user writes one. */
    static class WeightedMse extends Module {
        Tensor weight = Parameter.of(Torch.ones(1), false);

        @Override
        public Tensor forward(Tensor x) { throw new UnsupportedOperationException("takes input and target"); }

        @Override
        public Tensor forward(Tensor... inputs) { return inputs[0].sub(inputs[1]).pow(2.0).mul(weight).mean(); }
    }

    @Test
    void customTwoInputLoss() {
        WeightedMse loss = new WeightedMse();
        assertEquals(List.of("weight"), new ArrayList<>(loss.stateDict().keySet()));
        assertEquals(4.0, loss.forward(Torch.zeros(3), Torch.full(new long[] {3}, 2.0)).item(), 1e-6);
    }
}
