package dev.kindling.optim.lr;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.optim.Adam;
import dev.kindling.optim.Fixtures;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.ParamGroup;
import dev.kindling.optim.SGD;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every scheduler's learning-rate sequence over 200 steps against PyTorch 1.13 (and OneCycleLR's momentum / Adam beta1
 * sequence), on an optimizer with two parameter groups (lr 0.1 and 0.01). The same schedulers are built here under the
 * fixture's case names.
 */
public class SchedulerConformanceTest {
    static final JsonNode FIXTURE = Fixtures.load("schedulers.json");
    /** Relative tolerance: the same double arithmetic in the same order; cos/pow may differ from C's libm by an ulp. */
    static final double REL = 1e-12;
    static final AtomicInteger VALUES = new AtomicInteger();
    static final AtomicInteger EXACT = new AtomicInteger();
    static final Map<String, Integer> INEXACT = new java.util.concurrent.ConcurrentSkipListMap<>();
    static final Map<String, Double> MAX_REL = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** SGD(lr 0.1, momentum 0.9) or Adam(lr 0.1, betas (0.9, 0.99)) over groups [zeros(2)], [zeros(3), lr 0.01]. */
    public static Optimizer optimizer(String kind) {
        Tensor p0 = Torch.zeros(2).requiresGrad_(true);
        Tensor p1 = Torch.zeros(3).requiresGrad_(true);
        ParamGroup g0 = new ParamGroup(p0);
        ParamGroup g1 = new ParamGroup(p1).lr(0.01);
        return kind.equals("sgd") ? SGD.builder(g0, g1).lr(0.1).momentum(0.9).build()
                : Adam.builder(g0, g1).lr(0.1).betas(0.9, 0.99).build();
    }

    static final Map<String, Function<Optimizer, LRScheduler>> CASES = new java.util.HashMap<>();

    static {
        CASES.put("steplr", o -> new StepLR(o, 30, 0.1));
        CASES.put("steplr_default_gamma", o -> new StepLR(o, 7));
        CASES.put("steplr_half", o -> new StepLR(o, 7, 0.5));
        CASES.put("multisteplr", o -> new MultiStepLR(o, new int[] {30, 80, 80, 150}, 0.1));
        CASES.put("multisteplr_default_gamma", o -> new MultiStepLR(o, new int[] {10, 100}));
        CASES.put("exponentiallr", o -> new ExponentialLR(o, 0.97));
        CASES.put("cosineannealinglr", o -> new CosineAnnealingLR(o, 50, 0.001));
        CASES.put("cosineannealinglr_tmax200", o -> new CosineAnnealingLR(o, 200));
        CASES.put("cosineannealinglr_tmax30", o -> new CosineAnnealingLR(o, 30, 0.005));
        CASES.put("lambdalr_pow", o -> new LambdaLR(o, e -> Math.pow(0.95, e)));
        CASES.put("lambdalr_step", o -> new LambdaLR(o, e -> 1.0 / (1 + e / 10)));
        CASES.put("lambdalr_per_group", o -> new LambdaLR(o, List.<IntToDoubleFunction>of(e -> Math.pow(0.9, e),
                e -> 1.0 / (e + 1))));
        CASES.put("linearlr", o -> new LinearLR(o, 0.25, 1.0, 40));
        CASES.put("linearlr_default", LinearLR::new);
        CASES.put("linearlr_decay", o -> new LinearLR(o, 1.0, 0.1, 100));
        CASES.put("constantlr", o -> new ConstantLR(o, 0.5, 20));
        CASES.put("polynomiallr", o -> new PolynomialLR(o, 150, 2.0));
        CASES.put("multiplicativelr", o -> new MultiplicativeLR(o, e -> 0.98));
        CASES.put("onecyclelr_sgd", o -> new OneCycleLR(o, 0.1, 200));
        CASES.put("onecyclelr_adam", o -> new OneCycleLR(o, 0.01, 200));
        CASES.put("onecyclelr_per_group", o -> OneCycleLR.builder(o).maxLr(0.2, 0.05).totalSteps(210).pctStart(0.4)
                .baseMomentum(0.8).maxMomentum(0.9).build());
        CASES.put("onecyclelr_linear_three_phase", o -> OneCycleLR.builder(o).maxLr(0.1).totalSteps(250).pctStart(0.25)
                .annealStrategy("linear").threePhase(true).build());
        CASES.put("onecyclelr_epochs", o -> OneCycleLR.builder(o).maxLr(0.1).epochs(10).stepsPerEpoch(25).divFactor(10.0)
                .finalDivFactor(100.0).cycleMomentum(false).build());
        CASES.put("sequentiallr_warmup_cosine", o -> new SequentialLR(o,
                List.of(new LinearLR(o, 0.1, 1.0, 10), new CosineAnnealingLR(o, 190)), new int[] {10}));
        CASES.put("sequentiallr_constant_exponential", o -> new SequentialLR(o,
                List.of(new ConstantLR(o, 0.1, 2), new ExponentialLR(o, 0.9)), new int[] {2}));
        CASES.put("sequentiallr_three", o -> new SequentialLR(o,
                List.of(new StepLR(o, 10, 0.5), new MultiStepLR(o, new int[] {20, 40}, 0.5), new ExponentialLR(o, 0.98)),
                new int[] {50, 120}));
        CASES.put("chainedscheduler", o -> new ChainedScheduler(
                List.of(new ConstantLR(o, 0.1, 2), new ExponentialLR(o, 0.9))));
        CASES.put("reducelronplateau_default", ReduceLROnPlateau::new);
        CASES.put("reducelronplateau_abs_cooldown", o -> ReduceLROnPlateau.builder(o).mode("min").factor(0.5).patience(3)
                .threshold(0.01).thresholdMode("abs").cooldown(5).minLrs(0.001, 0.0005).build());
        CASES.put("reducelronplateau_max", o -> ReduceLROnPlateau.builder(o).mode("max").factor(0.3).patience(5)
                .threshold(0.001).minLr(0.0001).build());
        CASES.put("reducelronplateau_max_abs_eps", o -> ReduceLROnPlateau.builder(o).mode("max").factor(0.5).patience(2)
                .threshold(0.005).thresholdMode("abs").minLr(0.004).eps(0.0015).build());
    }

    static void assertLr(double exp, double act, String what) {
        VALUES.incrementAndGet();
        if (exp == act) {
            EXACT.incrementAndGet();
            return;
        }
        INEXACT.merge(what.substring(0, what.indexOf(' ')), 1, Integer::sum);
        MAX_REL.merge(what.substring(0, what.indexOf(' ')), Math.abs(exp - act) / Math.abs(exp), Math::max);
        if (!(Math.abs(exp - act) <= REL * Math.abs(exp))) fail(what + ": expected " + exp + " but was " + act);
    }

    static double momentum(ParamGroup g) {
        return g.has("betas") ? g.getDoubles("betas")[0] : g.getDouble("momentum");
    }

    /** Runs a case: 200 steps of optimizer.step() then scheduler.step() (with the metric for ReduceLROnPlateau). */
    static void run(JsonNode c, Function<Optimizer, LRScheduler> factory) {
        String name = c.get("name").asText();
        Optimizer opt = optimizer(c.get("optimizer").asText());
        LRScheduler s = factory.apply(opt);
        JsonNode lrs = c.get("lrs");
        JsonNode metrics = c.get("metrics");
        JsonNode moms = c.get("momentums");
        for (int epoch = 0; epoch < lrs.size(); epoch++) {
            if (epoch > 0) {
                opt.step();
                if (metrics != null) ((ReduceLROnPlateau) s).step(metrics.get(epoch - 1).asDouble());
                else s.step();
            }
            double[] exp = Fixtures.doubles(lrs.get(epoch));
            for (int g = 0; g < exp.length; g++) {
                double lr = opt.paramGroups().get(g).lr();
                assertLr(exp[g], lr, name + " lr of group " + g + " at epoch " + epoch);
                assertEquals(lr, s.getLastLr().get(g), 0, name + " getLastLr at epoch " + epoch);
                if (moms != null) {
                    assertLr(moms.get(epoch).get(g).asDouble(), momentum(opt.paramGroups().get(g)),
                            name + " momentum of group " + g + " at epoch " + epoch);
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> learningRatesMatchPyTorchOver200Steps() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : FIXTURE.get("cases")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Function<Optimizer, LRScheduler> f = CASES.get(name);
                assertNotNull(f, "no Java scheduler for fixture case " + name);
                run(c, f);
            }));
        }
        return tests.stream();
    }

    @AfterAll
    static void report() {
        System.out.println("scheduler conformance: " + FIXTURE.get("cases").size() + " cases, " + VALUES.get()
                + " learning rates and momentums, " + EXACT.get() + " bit-identical to PyTorch, the rest within "
                + REL + " relative");
        System.out.println("  not bit-identical: " + INEXACT + " max rel " + MAX_REL);
    }
}
