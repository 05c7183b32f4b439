package dev.kindling.optim;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.optim.lr.StepLR;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** zeroGrad, closures, parameter groups, defaults, PyTorch's error messages and a custom optimizer. */
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
class OptimizerBehaviourTest {
    static final Fixtures.Problem P = Fixtures.Problem.load();

    /** A custom optimizer is a small subclass: signSGD with a per-parameter step counter and a running sign sum. */
    static final class SignSGD extends Optimizer {
        SignSGD(Iterable<Tensor> params, double lr) {
            super(params, Map.of("lr", lr, "decay", 1.0));
        }

        @Override
        public Tensor step(Supplier<Tensor> closure) {
            Tensor loss = evaluate(closure);
            try (var g = Torch.noGrad()) {
                for (ParamGroup group : paramGroups()) {
                    for (Tensor p : group.params()) {
                        if (p.grad() == null) continue;
                        Map<String, Object> st = state(p);
                        long n = stepOf(st) + 1;
                        st.put("step", n);
                        Tensor sum = (Tensor) st.computeIfAbsent("sign_sum", k -> Torch.zerosLike(p));
                        sum.add_(p.grad().sign());
                        p.add_(p.grad().sign(), -group.lr() * Math.pow(group.getDouble("decay"), n - 1));
                    }
                }
            }
            return loss;
        }
    }

    @Test
    void customOptimizerSubclass() {
        Tensor w = P.w();
        Tensor b = P.b();
        SignSGD opt = new SignSGD(List.of(w, b), 0.1);
        StepLR sched = new StepLR(opt, 2, 0.5); // schedulers drive any optimizer's groups
        float[] before = w.toFloatArray();
        opt.zeroGrad();
        P.loss(w, b).backward();
        float[] sign = w.grad().sign().toFloatArray();
        opt.step();
        sched.step();
        float[] after = w.toFloatArray();
        for (int i = 0; i < after.length; i++) assertEquals(before[i] - 0.1f * sign[i], after[i], 1e-7);
        assertEquals(1L, opt.state().get(w).get("step"));

        // its state round-trips through the state dict like a built-in's
        for (int i = 0; i < 3; i++) {
            opt.zeroGrad();
            P.loss(w, b).backward();
            opt.step();
            sched.step();
        }
        Map<String, Object> sd = opt.stateDict();
        Tensor w2 = Torch.tensor(w.toFloatArray(), 2, 3).requiresGrad_(true);
        Tensor b2 = Torch.tensor(b.toFloatArray(), 2).requiresGrad_(true);
        SignSGD opt2 = new SignSGD(List.of(w2, b2), 0.1);
        opt2.loadStateDict(sd);
        assertEquals(opt.paramGroups().get(0).lr(), opt2.paramGroups().get(0).lr()); // the scheduled lr came along
        assertEquals(0.025, opt2.paramGroups().get(0).lr(), 1e-15);
        assertArrayEquals(((Tensor) opt.state().get(w).get("sign_sum")).toFloatArray(),
                ((Tensor) opt2.state().get(w2).get("sign_sum")).toFloatArray());
        assertTrue(opt.toString().startsWith("SignSGD (\nParameter Group 0\n    decay: 1.0\n    initial_lr: 0.1\n    lr: 0.025\n"),
                opt.toString());
    }

    @Test
    void zeroGradZeroesInPlaceByDefaultOrSetsToNull() {
        Tensor w = P.w();
        Tensor b = P.b();
        SGD opt = new SGD(List.of(w, b), 0.1);
        P.loss(w, b).backward();
        Tensor g = w.grad();
        opt.zeroGrad(); // PyTorch 1.13's default: set_to_none=False
        assertSame(g, w.grad());
        assertArrayEquals(new float[6], w.grad().toFloatArray());
        opt.zeroGrad(true);
        assertNull(w.grad());
        assertNull(b.grad());
        float[] before = w.toFloatArray();
        opt.step(); // parameters without a gradient are skipped
        assertArrayEquals(before, w.toFloatArray());
        // gradients accumulate without zeroGrad, as in PyTorch
        P.loss(w, b).backward();
        float[] once = w.grad().toFloatArray();
        P.loss(w, b).backward();
        float[] twice = w.grad().toFloatArray();
        for (int i = 0; i < once.length; i++) assertEquals(2 * once[i], twice[i], 1e-5);
    }

    @Test
    void stepWithClosureReturnsTheLossAndMatchesPlainSteps() {
        Tensor w1 = P.w(), b1 = P.b(), w2 = P.w(), b2 = P.b();
        Optimizer a = new Adam(List.of(w1, b1), 0.05);
        Optimizer c = new Adam(List.of(w2, b2), 0.05);
        for (int i = 0; i < 5; i++) {
            a.zeroGrad();
            Tensor expected = P.loss(w1, b1);
            expected.backward();
            a.step();
            try (var ng = Torch.noGrad()) { // the closure runs with grad enabled anyway
                Tensor loss = c.step(() -> {
                    c.zeroGrad();
                    Tensor l = P.loss(w2, b2);
                    l.backward();
                    return l;
                });
                assertEquals(expected.item(), loss.item());
            }
        }
        assertArrayEquals(w1.toFloatArray(), w2.toFloatArray());
        assertNull(new SGD(List.of(P.w()), 0.1).step());
    }

    @Test
    void parameterGroupsAndDefaults() {
        Tensor w = P.w(), b = P.b(), extra = Torch.zeros(3).requiresGrad_(true);
        Map<String, Object> own = new java.util.LinkedHashMap<>();
        own.put("lr", 0.5);
        own.put("weightDecay", 0.1);
        SGD opt = SGD.builder(new ParamGroup(List.of(w), own), new ParamGroup(b))
                .lr(0.01).momentum(0.9).build();
        ParamGroup g0 = opt.paramGroups().get(0);
        assertEquals(0.5, g0.lr());
        assertEquals(0.1, g0.getDouble("weight_decay"));
        assertEquals(0.1, g0.getDouble("weightDecay")); // case and underscores ignored
        assertEquals(0.9, g0.get("momentum"));
        assertEquals(0.01, opt.paramGroups().get(1).lr());
        // the group's own first, then the defaults; all under PyTorch's names
        assertEquals(List.of("lr", "weight_decay", "momentum", "dampening", "nesterov", "maximize"),
                new ArrayList<>(g0.options().keySet()));
        g0.lr(0.25).set("momentum", 0.5);
        assertEquals(0.25, g0.lr());
        assertEquals(0.5, g0.getDouble("momentum"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g0.get("betas"));
        assertTrue(e.getMessage().startsWith("parameter group has no hyper-parameter 'betas'"), e.getMessage());

        opt.addParamGroup(List.of(extra), Map.of("lr", 1.0));
        assertEquals(3, opt.paramGroups().size());
        assertEquals(0.9, opt.paramGroups().get(2).getDouble("momentum"));
        e = assertThrows(IllegalArgumentException.class, () -> opt.addParamGroup(new ParamGroup(b)));
        assertEquals("some parameters appear in more than one parameter group", e.getMessage());

        // defaults are PyTorch's
        Adam adam = new Adam(List.of(Torch.zeros(1).requiresGrad_(true)));
        assertEquals(Map.of("lr", 1e-3, "betas", List.of(0.9, 0.999), "eps", 1e-8, "weight_decay", 0.0, "amsgrad", false,
                "maximize", false), adam.defaults());
        assertEquals(1e-2, new AdamW(List.of(Torch.zeros(1).requiresGrad_(true))).defaults().get("weight_decay"));
        RMSprop rms = new RMSprop(List.of(Torch.zeros(1).requiresGrad_(true)));
        assertEquals(0.01, rms.defaults().get("lr"));
        assertEquals(0.99, rms.defaults().get("alpha"));
        Adagrad ada = new Adagrad(List.of(Torch.zeros(1).requiresGrad_(true)));
        assertEquals(1e-10, ada.defaults().get("eps"));

        // Adagrad creates its state when a group is added (with the group's initial_accumulator_value)
        Tensor late = Torch.zeros(2).requiresGrad_(true);
        ada.addParamGroup(List.of(late), Map.of("initial_accumulator_value", 0.5));
        assertArrayEquals(new float[] {0.5f, 0.5f}, ((Tensor) ada.state().get(late).get("sum")).toFloatArray());
    }

    @Test
    void printsAsPyTorch() {
        SGD opt = SGD.builder(List.of(Torch.zeros(1).requiresGrad_(true))).lr(0.1).momentum(0.9).build();
        assertEquals("SGD (\nParameter Group 0\n    dampening: 0.0\n    lr: 0.1\n    maximize: False\n    momentum: 0.9\n"
                + "    nesterov: False\n    weight_decay: 0.0\n)", opt.toString());
        Adam adam = new Adam(List.of(Torch.zeros(1).requiresGrad_(true)));
        assertTrue(adam.toString().contains("    betas: (0.9, 0.999)\n    eps: 1e-08\n"), adam.toString());
    }

    @Test
    void invalidHyperParametersHavePyTorchsMessages() {
        List<Tensor> ps = List.of(Torch.zeros(2).requiresGrad_(true));
        assertMessage("Invalid learning rate: -0.1", () -> new SGD(ps, -0.1));
        assertMessage("Invalid momentum value: -0.5", () -> new SGD(ps, 0.1, -0.5));
        assertMessage("Invalid weight_decay value: -1.0", () -> SGD.builder(ps).lr(0.1).weightDecay(-1).build());
        assertMessage("Nesterov momentum requires a momentum and zero dampening", () -> SGD.builder(ps).lr(0.1).nesterov(true).build());
        assertMessage("Nesterov momentum requires a momentum and zero dampening",
                () -> new SGD(ps, 0.1, 0.9, 0.1, 0, true));
        assertMessage("parameter group didn't specify a value of required optimization parameter lr",
                () -> SGD.builder(ps).momentum(0.9).build());
        assertMessage("Invalid learning rate: -0.001", () -> new Adam(ps, -1e-3));
        assertMessage("Invalid epsilon value: -1e-08", () -> Adam.builder(ps).eps(-1e-8).build());
        assertMessage("Invalid beta parameter at index 0: 1.0", () -> Adam.builder(ps).betas(1.0, 0.999).build());
        assertMessage("Invalid beta parameter at index 1: -0.1", () -> AdamW.builder(ps).betas(0.9, -0.1).build());
        assertMessage("betas must be two numbers (beta1, beta2), but got 3 numbers",
                () -> new Adam(ps, 0.1, new double[] {0.9, 0.99, 0.5}));
        assertMessage("Invalid alpha value: -0.5", () -> RMSprop.builder(ps).alpha(-0.5).build());
        assertMessage("Invalid momentum value: -1.0", () -> RMSprop.builder(ps).momentum(-1).build());
        assertMessage("Invalid lr_decay value: -0.1", () -> Adagrad.builder(ps).lrDecay(-0.1).build());
        assertMessage("Invalid initial_accumulator_value value: -1.0", () -> Adagrad.builder(ps).initialAccumulatorValue(-1).build());
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void invalidParametersHavePyTorchsMessages() {
        Tensor p = Torch.zeros(2).requiresGrad_(true);
        assertMessage("optimizer got an empty parameter list", () -> new SGD(List.of(), 0.1));
        assertMessage("params argument given to the optimizer should be an iterable of Tensors or ParamGroups, but got null",
                () -> new SGD(null, 0.1));
        List raw = new ArrayList();
        raw.add(p);
        raw.add("weights");
        assertMessage("optimizer can only optimize Tensors, but one of the params is String", () -> new SGD(raw, 0.1));
        Tensor nonLeaf;
        nonLeaf = p.mul(2.0);
        assertMessage("can't optimize a non-leaf Tensor", () -> new Adam(List.of(nonLeaf)));
        assertMessage("some parameters appear in more than one parameter group",
                () -> SGD.builder(new ParamGroup(p), new ParamGroup(p)).lr(0.1).build());
        assertMessage("optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets "
                + "will change between runs. Please use a list instead.", () -> new SGD(new HashSet<>(List.of(p)), 0.1));
        assertMessage("'params' is not a hyper-parameter: a group's parameters are given when it is created",
                () -> new ParamGroup(p).set("params", List.of()));
    }

    @Test
    void amsgradStateAndMaximizeBehave() {
        Tensor w = P.w(), b = P.b();
        Adam opt = Adam.builder(List.of(w, b)).lr(0.1).amsgrad(true).build();
        opt.zeroGrad();
        P.loss(w, b).backward();
        opt.step();
        assertNotNull(opt.state().get(w).get("max_exp_avg_sq"));
        assertFalse(opt.state().containsKey(Torch.zeros(1)));
        // maximize climbs: the loss grows
        Tensor w2 = P.w(), b2 = P.b();
        SGD up = SGD.builder(List.of(w2, b2)).lr(0.01).maximize(true).build();
        double first = P.loss(w2, b2).item();
        for (int i = 0; i < 3; i++) {
            up.zeroGrad();
            P.loss(w2, b2).backward();
            up.step();
        }
        assertTrue(P.loss(w2, b2).item() > first);
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable ex) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ex);
        assertEquals(expected, e.getMessage());
    }
}
