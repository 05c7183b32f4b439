package dev.kindling.optim.lr;

import dev.kindling.api.Torch;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.ParamGroup;
import dev.kindling.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scheduler behaviour outside the fixtures: errors with PyTorch's messages, initial_lr, custom schedulers. */
class SchedulerBehaviourTest {

    static Optimizer sgd() {
        return new SGD(List.of(Torch.zeros(2).requiresGrad_(true)), 0.1);
    }

    static Optimizer sgd2() {
        return SGD.builder(new ParamGroup(Torch.zeros(2).requiresGrad_(true)), new ParamGroup(Torch.zeros(1).requiresGrad_(true)))
                .lr(0.1).build();
    }

    static <T extends Throwable> void assertMessage(Class<T> type, String expected, Executable ex) {
        assertEquals(expected, assertThrows(type, ex).getMessage());
    }

    @Test
    void errorsHavePyTorchsMessages() {
        assertMessage(IllegalStateException.class, "Tried to step 5 times. The specified number of total steps is 3", () -> {
            OneCycleLR s = new OneCycleLR(sgd(), 0.1, 3);
            for (int i = 0; i < 5; i++) s.step();
        });
        assertMessage(IllegalArgumentException.class, "You must define either total_steps OR (epochs AND steps_per_epoch)",
                () -> OneCycleLR.builder(sgd()).maxLr(0.1).build());
        assertMessage(IllegalArgumentException.class, "Expected positive integer total_steps, but got 0",
                () -> new OneCycleLR(sgd(), 0.1, 0));
        assertMessage(IllegalArgumentException.class, "Expected float between 0 and 1 pct_start, but got 1.5",
                () -> OneCycleLR.builder(sgd()).maxLr(0.1).totalSteps(10).pctStart(1.5).build());
        assertMessage(IllegalArgumentException.class, "anneal_strategy must by one of 'cos' or 'linear', instead got exp",
                () -> OneCycleLR.builder(sgd()).maxLr(0.1).totalSteps(10).annealStrategy("exp").build());
        assertMessage(IllegalArgumentException.class, "expected 2 values for max_lr, got 3",
                () -> OneCycleLR.builder(sgd2()).maxLr(0.1, 0.2, 0.3).totalSteps(10).build());
        assertMessage(IllegalArgumentException.class, "Starting multiplicative factor expected to be between 0 and 1.",
                () -> new LinearLR(sgd(), 1.5, 1.0, 5));
        assertMessage(IllegalArgumentException.class, "Ending multiplicative factor expected to be between 0 and 1.",
                () -> new LinearLR(sgd(), 0.5, -1, 5));
        assertMessage(IllegalArgumentException.class, "Constant multiplicative factor expected to be between 0 and 1.",
                () -> new ConstantLR(sgd(), 2, 5));
        assertMessage(IllegalArgumentException.class, "Expected 2 lr_lambdas, but got 1",
                () -> new LambdaLR(sgd2(), List.<IntToDoubleFunction>of(e -> 1.0)));
        assertMessage(IllegalArgumentException.class, "Factor should be < 1.0.",
                () -> ReduceLROnPlateau.builder(sgd()).factor(1.0).build());
        assertMessage(IllegalArgumentException.class, "mode avg is unknown!", () -> ReduceLROnPlateau.builder(sgd()).mode("avg").build());
        assertMessage(IllegalArgumentException.class, "threshold mode pct is unknown!",
                () -> ReduceLROnPlateau.builder(sgd()).thresholdMode("pct").build());
        assertMessage(IllegalArgumentException.class, "expected 2 min_lrs, got 3",
                () -> ReduceLROnPlateau.builder(sgd2()).minLrs(0, 0, 0).build());
        assertMessage(IllegalStateException.class, "ReduceLROnPlateau.step() needs the monitored metric: call step(metric)",
                () -> new ReduceLROnPlateau(sgd()).step());
        Optimizer a = sgd();
        Optimizer b = sgd();
        assertMessage(IllegalArgumentException.class, "Sequential Schedulers expects all schedulers to belong to the same "
                + "optimizer, but got schedulers at index 1 to be different than the optimizer passed in.",
                () -> new SequentialLR(a, List.of(new StepLR(a, 2), new StepLR(b, 2)), new int[] {3}));
        assertMessage(IllegalArgumentException.class, "Sequential Schedulers expects number of schedulers provided to be one "
                + "more than the number of milestone points, but got number of schedulers 2 and the number of milestones "
                + "to be equal to 2", () -> new SequentialLR(a, List.of(new StepLR(a, 2), new StepLR(a, 2)), new int[] {3, 4}));
        assertMessage(IllegalArgumentException.class, "ChainedScheduler expects all schedulers to belong to the same "
                + "optimizer, but got schedulers at index 0 and 1 to be different",
                () -> new ChainedScheduler(List.of(new StepLR(a, 2), new StepLR(b, 2))));
        assertMessage(IllegalArgumentException.class, "OneCycleLR needs max_lr",
                () -> OneCycleLR.builder(sgd()).totalSteps(5).build());
        assertMessage(IllegalArgumentException.class, "optimizer must support momentum with `cycle_momentum` option enabled",
                () -> new OneCycleLR(new Plain(List.of(Torch.zeros(1).requiresGrad_(true))), 0.1, 10));
    }

    /** An optimizer without momentum or betas, for OneCycleLR's check; also: any optimizer can be scheduled. */
    static final class Plain extends Optimizer {
        Plain(List<dev.kindling.api.Tensor> params) { super(params, java.util.Map.of("lr", 0.5)); }

        @Override
        public dev.kindling.api.Tensor step(java.util.function.Supplier<dev.kindling.api.Tensor> closure) {
            return evaluate(closure);
        }
    }

    @Test
    void initialLrIsRecordedAndBaseLrsComeFromIt() {
        Optimizer o = sgd2();
        o.paramGroups().get(1).lr(0.02);
        StepLR s = new StepLR(o, 1, 0.5);
        assertEquals(0.1, o.paramGroups().get(0).getDouble("initial_lr"));
        assertEquals(List.of(0.1, 0.02), s.baseLrs());
        s.step();
        assertEquals(List.of(0.05, 0.01), s.getLastLr());
        // a second scheduler on the same optimizer keeps the first's initial_lr (PyTorch's setdefault)
        ExponentialLR e = new ExponentialLR(o, 0.9);
        assertEquals(List.of(0.1, 0.02), e.baseLrs());
        new ReduceLROnPlateau(new Plain(List.of(Torch.zeros(1).requiresGrad_(true)))).step(1.0);
        new MultiStepLR(new Plain(List.of(Torch.zeros(1).requiresGrad_(true))), new int[] {1}).step();
    }

    /** A custom scheduler: implement getLr() and call initialStep() at the end of the constructor. */
    static final class Halving extends LRScheduler {
        private final int every;

        Halving(Optimizer optimizer, int every) {
            super(optimizer);
            this.every = every;
            initialStep();
        }

        @Override
        protected double[] getLr() {
            double[] lrs = groupLrs();
            if (lastEpoch > 0 && lastEpoch % every == 0) for (int i = 0; i < lrs.length; i++) lrs[i] /= 2;
            return lrs;
        }
    }

    @Test
    void customSchedulerWorksInSequentialLR() {
        Optimizer o = sgd();
        SequentialLR s = new SequentialLR(o, List.of(new LinearLR(o, 0.5, 1.0, 2), new Halving(o, 2)), new int[] {3});
        StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            seq.append(s.getLastLr().get(0)).append(' ');
            s.step();
        }
        assertEquals("0.05 0.07500000000000001 0.1 0.1 0.1 0.05 0.05 0.025 ", seq.toString());
        assertTrue(s.toString().startsWith("SequentialLR(milestones=[3]"), s.toString());
    }

    @Test
    void reduceLrOnPlateauVerboseLinesAreExactlyPyTorchs() {
        // PyTorch 1.13: ReduceLROnPlateau(SGD(lr=0.1), patience=1, verbose=True), eight steps of 1.0; a second group too
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
        ReduceLROnPlateau s = ReduceLROnPlateau.builder(sgd2()).patience(1).verbose(out).build();
        for (int i = 0; i < 8; i++) s.step(1.0);
        assertEquals("Epoch 00003: reducing learning rate of group 0 to 1.0000e-02.\n"
                + "Epoch 00003: reducing learning rate of group 1 to 1.0000e-02.\n"
                + "Epoch 00005: reducing learning rate of group 0 to 1.0000e-03.\n"
                + "Epoch 00005: reducing learning rate of group 1 to 1.0000e-03.\n"
                + "Epoch 00007: reducing learning rate of group 0 to 1.0000e-04.\n"
                + "Epoch 00007: reducing learning rate of group 1 to 1.0000e-04.\n",
                bytes.toString(java.nio.charset.StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
        assertEquals("Epoch 12345: reducing learning rate of group 2 to 3.3333e-07.", ReduceLROnPlateau.reducingMessage(12345, 2, 1 / 3e6));
        ReduceLROnPlateau quiet = ReduceLROnPlateau.builder(sgd()).patience(0).build();
        quiet.step(1.0);
        quiet.step(1.0);
        assertEquals(0.01, quiet.optimizer().paramGroups().get(0).lr(), 1e-12);
    }
}
