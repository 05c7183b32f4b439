package dev.kindling.optim;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.OneCycleLR;
import dev.kindling.optim.lr.ReduceLROnPlateau;
import dev.kindling.optim.lr.SequentialLR;
import dev.kindling.optim.lr.LinearLR;
import dev.kindling.optim.lr.CosineAnnealingLR;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * stateDict/loadStateDict: training 10 steps, saving, loading into a fresh optimizer (over fresh parameters with the
 * saved weights) and training 10 more gives bit-for-bit the weights of 20 straight steps; the dict is plain values and
 * tensors; mismatched dicts are rejected with clear errors and change nothing.
 */
class StateDictTest {
    static final Fixtures.Problem P = Fixtures.Problem.load();

    record Model(Tensor w, Tensor b) {
        static Model fresh() { return new Model(P.w(), P.b()); }

        static Model of(float[] w, float[] b) {
            return new Model(Torch.tensor(w, 2, 3).requiresGrad_(true), Torch.tensor(b, 2).requiresGrad_(true));
        }

        List<Tensor> params() { return List.of(w, b); }
    }

    static final Map<String, Function<Model, Optimizer>> OPTIMIZERS = new LinkedHashMap<>();

    static {
        OPTIMIZERS.put("sgd_nesterov_wd", m -> SGD.builder(m.params()).lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01).build());
        OPTIMIZERS.put("sgd_groups", m -> SGD.builder(new ParamGroup(m.w()), new ParamGroup(m.b()).lr(0.01).set("momentum", 0.5))
                .lr(0.1).build());
        OPTIMIZERS.put("adam_amsgrad", m -> Adam.builder(m.params()).lr(0.2).betas(0.5, 0.6).amsgrad(true).weightDecay(0.1).build());
        OPTIMIZERS.put("adamw", m -> new AdamW(m.params(), 0.05));
        OPTIMIZERS.put("rmsprop_centered_momentum", m -> RMSprop.builder(m.params()).lr(0.01).centered(true).momentum(0.5).build());
        OPTIMIZERS.put("adagrad", m -> Adagrad.builder(m.params()).lr(0.3).lrDecay(0.1).initialAccumulatorValue(0.5).build());
    }

    static void train(Optimizer opt, Model m, LRScheduler s, int steps) {
        for (int i = 0; i < steps; i++) {
            opt.zeroGrad();
            P.loss(m.w(), m.b()).backward();
            opt.step();
            if (s != null) s.step();
        }
    }

    @TestFactory
    Stream<DynamicTest> resumingFromAStateDictIsBitIdentical() {
        List<DynamicTest> tests = new ArrayList<>();
        OPTIMIZERS.forEach((name, make) -> tests.add(DynamicTest.dynamicTest(name, () -> {
            Model straight = Model.fresh();
            Optimizer o1 = make.apply(straight);
            train(o1, straight, null, 20);

            Model first = Model.fresh();
            Optimizer o2 = make.apply(first);
            train(o2, first, null, 10);
            Map<String, Object> saved = o2.stateDict();
            assertPlain(saved, "stateDict");
            train(o2, first, null, 3); // the saved dict is a snapshot: training on does not change it

            Model resumed = Model.of(weightsAfter10(make), biasAfter10(make));
            Optimizer o3 = make.apply(resumed);
            o3.loadStateDict(saved);
            train(o3, resumed, null, 10);
            assertArrayEquals(straight.w().toFloatArray(), resumed.w().toFloatArray(), name + " w");
            assertArrayEquals(straight.b().toFloatArray(), resumed.b().toFloatArray(), name + " b");
        })));
        return tests.stream();
    }

    private static float[] weightsAfter10(Function<Model, Optimizer> make) {
        Model m = Model.fresh();
        train(make.apply(m), m, null, 10);
        return m.w().toFloatArray();
    }

    private static float[] biasAfter10(Function<Model, Optimizer> make) {
        Model m = Model.fresh();
        train(make.apply(m), m, null, 10);
        return m.b().toFloatArray();
    }

    /** Optimizer and scheduler saved together (OneCycleLR cycles Adam's beta1) resume exactly. */
    @Test
    void optimizerAndSchedulerResumeTogether() {
        Model straight = Model.fresh();
        Optimizer o1 = new Adam(straight.params(), 0.05);
        train(o1, straight, new OneCycleLR(o1, 0.3, 20), 20);

        Model first = Model.fresh();
        Optimizer o2 = new Adam(first.params(), 0.05);
        OneCycleLR s2 = new OneCycleLR(o2, 0.3, 20);
        train(o2, first, s2, 10);
        Map<String, Object> optState = o2.stateDict();
        Map<String, Object> schedState = s2.stateDict();
        assertPlain(schedState, "scheduler stateDict");

        Model resumed = Model.of(first.w().toFloatArray(), first.b().toFloatArray());
        Optimizer o3 = new Adam(resumed.params(), 0.05);
        OneCycleLR s3 = new OneCycleLR(o3, 0.3, 20);
        o3.loadStateDict(optState);
        s3.loadStateDict(schedState);
        assertEquals(s2.getLastLr(), s3.getLastLr());
        assertEquals(s2.lastEpoch(), s3.lastEpoch());
        train(o3, resumed, s3, 10);
        assertArrayEquals(straight.w().toFloatArray(), resumed.w().toFloatArray());
        assertArrayEquals(straight.b().toFloatArray(), resumed.b().toFloatArray());
    }

    @Test
    void schedulerStateDictsRoundTrip() {
        // SequentialLR holds its schedulers' states; ReduceLROnPlateau its counters and best value.
        Optimizer a = new SGD(List.of(Torch.zeros(1).requiresGrad_(true)), 0.1);
        SequentialLR sa = new SequentialLR(a, List.of(new LinearLR(a, 0.1, 1.0, 5), new CosineAnnealingLR(a, 30)), new int[] {5});
        for (int i = 0; i < 12; i++) sa.step();
        Map<String, Object> sd = sa.stateDict();
        assertPlain(sd, "SequentialLR stateDict");
        Map<String, Object> optSd = a.stateDict();

        Optimizer b = new SGD(List.of(Torch.zeros(1).requiresGrad_(true)), 0.1);
        SequentialLR sb = new SequentialLR(b, List.of(new LinearLR(b, 0.1, 1.0, 5), new CosineAnnealingLR(b, 30)), new int[] {5});
        b.loadStateDict(optSd);
        sb.loadStateDict(sd);
        for (int i = 0; i < 20; i++) {
            sa.step();
            sb.step();
            assertEquals(sa.getLastLr(), sb.getLastLr(), "epoch " + sa.lastEpoch());
        }

        Optimizer c = new SGD(List.of(Torch.zeros(1).requiresGrad_(true)), 0.1);
        ReduceLROnPlateau rc = ReduceLROnPlateau.builder(c).patience(1).factor(0.5).cooldown(1).build();
        double[] metrics = {1, 0.9, 0.95, 0.97, 0.99, 0.8, 0.85, 0.86, 0.9, 0.91};
        for (int i = 0; i < 5; i++) rc.step(metrics[i]);
        Map<String, Object> rsd = rc.stateDict();
        assertPlain(rsd, "ReduceLROnPlateau stateDict");
        Optimizer d = new SGD(List.of(Torch.zeros(1).requiresGrad_(true)), 0.1);
        ReduceLROnPlateau rd = new ReduceLROnPlateau(d);
        d.loadStateDict(c.stateDict());
        rd.loadStateDict(rsd);
        for (int i = 5; i < metrics.length; i++) {
            rc.step(metrics[i]);
            rd.step(metrics[i]);
            assertEquals(rc.getLastLr(), rd.getLastLr(), "metric " + i);
            assertEquals(c.paramGroups().get(0).lr(), d.paramGroups().get(0).lr());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void layoutIsPyTorchs() {
        Model m = Model.fresh();
        Optimizer opt = Adam.builder(new ParamGroup(m.w()), new ParamGroup(m.b()).lr(0.5)).lr(0.1).build();
        train(opt, m, null, 2);
        Map<String, Object> sd = opt.stateDict();
        assertEquals(List.of("state", "param_groups"), new ArrayList<>(sd.keySet()));
        Map<Integer, Map<String, Object>> state = (Map<Integer, Map<String, Object>>) sd.get("state");
        assertEquals(List.of(0, 1), new ArrayList<>(state.keySet()));
        assertEquals(List.of("step", "exp_avg", "exp_avg_sq"), new ArrayList<>(state.get(0).keySet()));
        assertEquals(2L, state.get(0).get("step"));
        List<Map<String, Object>> groups = (List<Map<String, Object>>) sd.get("param_groups");
        assertEquals(List.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "params"),
                new ArrayList<>(groups.get(0).keySet()));
        assertEquals(List.of(0), groups.get(0).get("params"));
        assertEquals(List.of(1), groups.get(1).get("params"));
        assertEquals(0.5, groups.get(1).get("lr"));
        assertEquals(List.of(0.9, 0.999), groups.get(1).get("betas"));
        // copies, not the live state
        assertNotSame(opt.state().get(m.w()).get("exp_avg"), state.get(0).get("exp_avg"));
    }

    @Test
    void acceptsPyTorchStyleTensorStepsAndJsonNumbers() {
        Model m = Model.fresh();
        Optimizer opt = new Adam(m.params(), 0.1);
        train(opt, m, null, 3);
        Map<String, Object> sd = opt.stateDict();
        // as a checkpoint reader might hand it back: step as a 0-dim float tensor (PyTorch 1.13), keys as strings, Longs
        @SuppressWarnings("unchecked") Map<Integer, Map<String, Object>> st = (Map<Integer, Map<String, Object>>) sd.get("state");
        Map<String, Object> state = new LinkedHashMap<>();
        st.forEach((k, v) -> {
            Map<String, Object> copy = new LinkedHashMap<>(v);
            copy.put("step", Torch.tensor(3.0));
            state.put(String.valueOf(k), copy);
        });
        Map<String, Object> converted = new LinkedHashMap<>(sd);
        converted.put("state", state);
        Model m2 = Model.of(m.w().toFloatArray(), m.b().toFloatArray());
        Optimizer o2 = new Adam(m2.params(), 0.1);
        o2.loadStateDict(converted);
        train(opt, m, null, 2);
        train(o2, m2, null, 2);
        assertArrayEquals(m.w().toFloatArray(), m2.w().toFloatArray());
        assertEquals(5L, o2.state().get(m2.w()).get("step"));
    }

    @Test
    void mismatchedStateDictsAreRejectedAndChangeNothing() {
        Model m = Model.fresh();
        Optimizer adam = new Adam(m.params(), 0.1);
        train(adam, m, null, 1);
        Map<String, Object> good = adam.stateDict();

        // a different number of groups
        Optimizer twoGroups = Adam.builder(new ParamGroup(P.w()), new ParamGroup(P.b())).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> twoGroups.loadStateDict(good));
        assertEquals("loaded state dict has a different number of parameter groups (1 saved, 2 in this optimizer)",
                e.getMessage());

        // a group of another size
        Optimizer oneParam = new Adam(List.of(P.w()), 0.1);
        e = assertThrows(IllegalArgumentException.class, () -> oneParam.loadStateDict(good));
        assertTrue(e.getMessage().startsWith("loaded state dict contains a parameter group that doesn't match the size of "
                + "optimizer's group (group 0: 2 parameters saved, 1 in this optimizer)"), e.getMessage());

        // parameters of other shapes
        Optimizer swapped = new Adam(List.of(P.b(), P.w()), 0.1);
        e = assertThrows(IllegalArgumentException.class, () -> swapped.loadStateDict(good));
        assertEquals("loaded state dict has 'exp_avg' of shape [2, 3] for parameter 0 of shape [2]", e.getMessage());

        // a state dict of another optimizer
        Optimizer sgd = SGD.builder(m.params()).lr(0.1).momentum(0.9).build();
        train(sgd, Model.fresh(), null, 0);
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(Model.fresh().params()).loadStateDict(sgd.stateDict()));
        assertEquals("loaded state dict's parameter group 0 has no 'betas' (saved from a different optimizer than Adam?)",
                e.getMessage());

        // state for an index no group lists
        Map<String, Object> bad = new LinkedHashMap<>(good);
        Map<Object, Object> state = new LinkedHashMap<>((Map<?, ?>) good.get("state"));
        state.put(7, Map.of("step", 1L));
        bad.put("state", state);
        Model fresh = Model.fresh();
        Optimizer target = new Adam(fresh.params(), 0.3);
        e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(bad));
        assertEquals("loaded state dict has state for parameter 7, which none of its parameter groups lists", e.getMessage());
        // nothing changed
        assertEquals(0.3, target.paramGroups().get(0).lr());
        assertTrue(target.state().isEmpty());

        e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(Map.of("state", Map.of())));
        assertTrue(e.getMessage().startsWith("loaded state dict has no 'param_groups' list"), e.getMessage());

        // schedulers: a state for another number of groups
        LRScheduler one = new dev.kindling.optim.lr.StepLR(new SGD(List.of(P.w()), 0.1), 3);
        LRScheduler two = new dev.kindling.optim.lr.StepLR(SGD.builder(new ParamGroup(P.w()), new ParamGroup(P.b())).lr(0.1).build(), 3);
        e = assertThrows(IllegalArgumentException.class, () -> two.loadStateDict(one.stateDict()));
        assertEquals("loaded scheduler state is for 1 parameter groups, but the optimizer has 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> one.loadStateDict(Map.of("base_lrs", List.of(0.1))));
        assertEquals("scheduler state dict has no '_last_lr'", e.getMessage());
    }

    /** Every leaf is a number, boolean, string, null or tensor; containers are maps and lists: no Java serialization. */
    static void assertPlain(Object v, String path) {
        if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String || v instanceof Tensor) return;
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> {
                assertTrue(k instanceof String || k instanceof Integer, path + " key " + k);
                assertPlain(x, path + "." + k);
            });
            return;
        }
        if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) assertPlain(l.get(i), path + "[" + i + "]");
            return;
        }
        fail(path + " is a " + v.getClass().getName());
    }
}
