package dev.kindling.optim.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.spi.OptimizerProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.Provider;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.Adam;
import dev.kindling.optim.Fixtures;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.ParamGroup;
import dev.kindling.optim.SGD;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.OneCycleLR;
import dev.kindling.optim.lr.ReduceLROnPlateau;
import dev.kindling.optim.lr.SequentialLR;
import dev.kindling.optim.lr.StepLR;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optimizers and schedulers by name with parameters, through the kernel's registries (filled by ServiceLoader on a
 * plain classpath, as Declarative Services do in OSGi): JSON specs, PyTorch's and Java's parameter names, clear errors
 * for unknown or missing parameters, and results identical to the typed API.
 */
class ProvidersTest {
    static final Kernel KERNEL = (Kernel) TensorRuntimes.get();
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> OPTIMIZERS = List.of("adagrad", "adam", "adamw", "rmsprop", "sgd");
    static final List<String> SCHEDULERS = List.of("chainedscheduler", "constantlr", "cosineannealinglr", "exponentiallr",
            "lambdalr", "linearlr", "multiplicativelr", "multisteplr", "onecyclelr", "polynomiallr", "reducelronplateau",
            "sequentiallr", "steplr");

    static List<Tensor> params() {
        return List.of(Torch.zeros(2, 3).requiresGrad_(true), Torch.zeros(2).requiresGrad_(true));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(String json, Object... extra) throws Exception {
        Map<String, Object> m = JSON.readValue(json, LinkedHashMap.class);
        for (int i = 0; i < extra.length; i += 2) m.put((String) extra[i], extra[i + 1]);
        return m;
    }

    static Optimizer optimizer(Map<String, Object> spec) {
        return (Optimizer) KERNEL.optimizers().create((String) spec.get("type"), spec);
    }

    static LRScheduler scheduler(Map<String, Object> spec) {
        return (LRScheduler) KERNEL.schedulers().create((String) spec.get("type"), spec);
    }

    @Test
    void allAreRegisteredThroughServiceLoaderWithTheirParameters() {
        assertEquals(OPTIMIZERS, KERNEL.optimizers().all().stream().map(Provider::name).filter(OPTIMIZERS::contains).toList());
        assertEquals(SCHEDULERS, KERNEL.schedulers().all().stream().map(Provider::name).filter(SCHEDULERS::contains).toList());
        int n = 0;
        for (OptimizerProvider<?> p : ServiceLoader.load(OptimizerProvider.class)) {
            n++;
            assertEquals("params", p.parameters().get(0).name(), p.name());
            assertTrue(p.parameters().get(0).required());
            assertFalse(p.description().isBlank());
        }
        assertEquals(5, n);
        for (SchedulerProvider<?> p : ServiceLoader.load(SchedulerProvider.class)) {
            n++;
            assertEquals("optimizer", p.parameters().get(0).name(), p.name());
        }
        assertEquals(5 + 13, n);
        // what the shell's help shows
        assertEquals("[params:Iterable<Tensor>, lr:double=0.001, betas:double[2]=[0.9, 0.999], eps:double=1.0E-8, "
                + "weightDecay:double=0.0, amsgrad:boolean=false, maximize:boolean=false]",
                KERNEL.optimizers().get("adam").parameters().toString());
        assertEquals("[optimizer:Optimizer, stepSize:int, gamma:double=0.1]",
                KERNEL.schedulers().get("StepLR").parameters().toString());
    }

    @Test
    void optimizersFromJsonSpecs() throws Exception {
        Optimizer adam = optimizer(spec("{\"type\":\"adam\",\"lr\":0.001}", "params", params()));
        assertInstanceOf(Adam.class, adam);
        assertEquals(0.001, adam.paramGroups().get(0).lr());
        assertEquals(List.of(0.9, 0.999), adam.paramGroups().get(0).get("betas"));

        // PyTorch's keyword names work as well as the Java ones; integers where doubles are expected too
        Optimizer sgd = optimizer(spec("{\"type\":\"SGD\",\"lr\":1,\"momentum\":0.9,\"weight_decay\":0.01,\"nesterov\":true}",
                "params", params()));
        assertInstanceOf(SGD.class, sgd);
        ParamGroup g = sgd.paramGroups().get(0);
        assertEquals(1.0, g.lr());
        assertEquals(0.01, g.getDouble("weight_decay"));
        assertTrue(g.getBoolean("nesterov"));

        Optimizer adamw = optimizer(spec("{\"type\":\"adamw\",\"betas\":[0.8,0.99],\"amsgrad\":true}", "params", params()));
        assertEquals(List.of(0.8, 0.99), adamw.paramGroups().get(0).get("betas"));
        assertEquals(0.01, adamw.paramGroups().get(0).getDouble("weight_decay"));
        Optimizer rms = optimizer(spec("{\"type\":\"rmsprop\",\"centered\":true,\"momentum\":0.5}", "params", params()));
        assertTrue(rms.paramGroups().get(0).getBoolean("centered"));
        Optimizer ada = optimizer(spec("{\"type\":\"adagrad\",\"lrDecay\":0.1,\"initial_accumulator_value\":0.5}",
                "params", params()));
        assertEquals(0.5, ada.paramGroups().get(0).getDouble("initial_accumulator_value"));

        // parameter groups through the provider
        List<Tensor> ps = params();
        Optimizer groups = optimizer(spec("{\"type\":\"sgd\",\"lr\":0.1}", "params",
                List.of(new ParamGroup(ps.get(0)), new ParamGroup(ps.get(1)).lr(0.01))));
        assertEquals(2, groups.paramGroups().size());
        assertEquals(0.01, groups.paramGroups().get(1).lr());
    }

    /** Every optimizer fixture case, built by name from its PyTorch keyword arguments, ends at PyTorch's weights. */
    @TestFactory
    Stream<DynamicTest> providerBuiltOptimizersMatchPyTorch() {
        JsonNode fixture = Fixtures.load("optimizers.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : fixture.get("cases")) {
            if (c.get("groups") != null && !c.get("groups").isNull()) continue;
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () ->
                    dev.kindling.optim.ProviderCases.check(c, (w, b) -> {
                        Map<String, Object> s = Fixtures.plain(c.get("options"));
                        s.put("params", List.of(w, b));
                        return (Optimizer) KERNEL.optimizers().create(c.get("optimizer").asText(), s);
                    })));
        }
        return tests.stream();
    }

    @Test
    void schedulersFromSpecs() throws Exception {
        Optimizer opt = new SGD(params(), 0.1, 0.9);
        LRScheduler step = scheduler(spec("{\"type\":\"steplr\",\"step_size\":2,\"gamma\":0.5}", "optimizer", opt));
        assertInstanceOf(StepLR.class, step);
        step.step();
        step.step();
        assertEquals(List.of(0.05), step.getLastLr());

        Optimizer o2 = new SGD(params(), 0.1, 0.9);
        LRScheduler seq = scheduler(spec("{\"type\":\"sequentiallr\",\"schedulers\":[{\"type\":\"linearlr\",\"startFactor\":0.5,"
                + "\"totalIters\":2},{\"type\":\"exponentiallr\",\"gamma\":0.5}],\"milestones\":[2]}", "optimizer", o2));
        assertInstanceOf(SequentialLR.class, seq);
        List<Double> lrs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            lrs.add(seq.getLastLr().get(0));
            seq.step();
        }
        assertEquals(List.of(0.05, 0.07500000000000001, 0.1, 0.05), lrs);

        Optimizer o3 = new Adam(params(), 0.1);
        OneCycleLR one = (OneCycleLR) scheduler(spec("{\"type\":\"OneCycleLR\",\"max_lr\":0.1,\"total_steps\":100,"
                + "\"anneal_strategy\":\"linear\"}", "optimizer", o3));
        assertEquals(100, one.totalSteps());
        assertEquals(0.95, o3.paramGroups().get(0).getDoubles("betas")[0]);

        Optimizer o4 = new SGD(params(), 0.1);
        ReduceLROnPlateau plateau = (ReduceLROnPlateau) scheduler(spec("{\"type\":\"reducelronplateau\",\"mode\":\"max\","
                + "\"patience\":0,\"factor\":0.5}", "optimizer", o4));
        plateau.step(1.0);
        plateau.step(0.5);
        assertEquals(List.of(0.05), plateau.getLastLr());

        Map<String, Object> lambda = new HashMap<>();
        lambda.put("optimizer", new SGD(params(), 0.1));
        lambda.put("lrLambda", (IntToDoubleFunction) e -> 1.0 / (e + 1));
        LRScheduler l = (LRScheduler) KERNEL.schedulers().create("lambdalr", lambda);
        l.step();
        assertEquals(List.of(0.05), l.getLastLr());
    }

    @Test
    void unknownMissingAndMistypedParametersAreRejectedClearly() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> optimizer(spec("{\"type\":\"adam\",\"lr\":0.001,\"beta1\":0.9}", "params", params())));
        assertEquals("unknown parameter 'beta1' for optimizer 'adam'; it accepts: params, lr, betas, eps, weightDecay, "
                + "amsgrad, maximize", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> optimizer(spec("{\"type\":\"sgd\",\"momentum\":0.9}",
                "params", params())));
        assertEquals("optimizer 'sgd' needs parameter 'lr' (double): learning rate", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> optimizer(spec("{\"type\":\"adam\"}")));
        assertEquals("optimizer 'adam' needs parameter 'params' (Iterable<Tensor>): the parameters to optimize "
                + "(e.g. Module.parameters()), or an Iterable of ParamGroups", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> optimizer(spec("{\"type\":\"adam\"}", "params",
                Torch.zeros(3).requiresGrad_(true))));
        assertEquals("params argument given to the optimizer should be an iterable of Tensors or ParamGroups, but got Tensor",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> optimizer(spec("{\"type\":\"adam\",\"lr\":\"fast\"}",
                "params", params())));
        assertEquals("parameter 'lr' of optimizer 'adam' must be a number, but got 'fast' (String)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> optimizer(spec("{\"type\":\"adam\",\"lr\":-1}",
                "params", params())));
        assertEquals("Invalid learning rate: -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> optimizer(spec("{\"type\":\"lbfgs\"}")));
        assertTrue(e.getMessage().startsWith("unknown optimizer 'lbfgs'; installed: [adagrad, adam, adamw, rmsprop, sgd"),
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> scheduler(spec("{\"type\":\"steplr\",\"stepSize\":3}",
                "optimizer", "adam")));
        assertEquals("parameter 'optimizer' of scheduler 'steplr' must be an Optimizer (dev.kindling.optim.Optimizer), "
                + "but got 'adam' (String)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> scheduler(spec("{\"type\":\"steplr\",\"step\":3}",
                "optimizer", new SGD(params(), 0.1))));
        assertEquals("unknown parameter 'step' for scheduler 'steplr'; it accepts: optimizer, stepSize, gamma", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> scheduler(spec("{\"type\":\"cosineannealinglr\"}",
                "optimizer", new SGD(params(), 0.1))));
        assertEquals("scheduler 'cosineannealinglr' needs parameter 'tMax' (int): number of epochs of a half cosine period",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> scheduler(spec("{\"type\":\"steplr\",\"stepSize\":2.5}",
                "optimizer", new SGD(params(), 0.1))));
        assertEquals("parameter 'stepSize' of scheduler 'steplr' must be an integer, but got 2.5 (Double)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> scheduler(spec("{\"type\":\"sequentiallr\",\"schedulers\":"
                + "[{\"type\":\"warmup\"}],\"milestones\":[]}", "optimizer", new SGD(params(), 0.1))));
        assertTrue(e.getMessage().startsWith("unknown scheduler type 'warmup' in a nested spec; known: [steplr"), e.getMessage());
    }

    @Test
    void providerAndTypedApiGiveTheSameTrajectory() throws Exception {
        Fixtures.Problem p = Fixtures.Problem.load();
        Tensor w1 = p.w(), b1 = p.b(), w2 = p.w(), b2 = p.b();
        Optimizer typed = dev.kindling.optim.RMSprop.builder(List.of(w1, b1)).lr(0.01).centered(true).momentum(0.5).build();
        Optimizer named = optimizer(spec("{\"type\":\"rmsprop\",\"lr\":0.01,\"centered\":true,\"momentum\":0.5}",
                "params", List.of(w2, b2)));
        for (int i = 0; i < 5; i++) {
            for (Object[] o : new Object[][] {{typed, w1, b1}, {named, w2, b2}}) {
                Optimizer opt = (Optimizer) o[0];
                opt.zeroGrad();
                p.loss((Tensor) o[1], (Tensor) o[2]).backward();
                opt.step();
            }
        }
        assertArrayEquals(w1.toFloatArray(), w2.toFloatArray());
        assertEquals(typed.stateDict().get("param_groups"), named.stateDict().get("param_groups"));
    }

    @Test
    void specsDescribeEveryProvider() {
        for (Provider<?> p : KERNEL.optimizers().all()) for (ParameterSpec s : p.parameters()) assertFalse(s.description().isBlank());
        for (Provider<?> p : KERNEL.schedulers().all()) for (ParameterSpec s : p.parameters()) assertFalse(s.description().isBlank());
    }
}
