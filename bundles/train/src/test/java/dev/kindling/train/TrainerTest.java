package dev.kindling.train;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Dataset;
import dev.kindling.data.Datasets;
import dev.kindling.data.Sample;
import dev.kindling.data.TensorDataset;
import dev.kindling.datasets.Digits;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.Dropout;
import dev.kindling.nn.Linear;
import dev.kindling.nn.MSELoss;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.optim.Adam;
import dev.kindling.optim.SGD;
import dev.kindling.optim.lr.StepLR;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    @TempDir
    Path dir;

    /** Digits scaled to [0, 1], split 80/20 with a fixed seed. */
    private static List<Dataset<Sample>> digits() {
        Dataset<Sample> all = new Digits(x -> x.div(16.0), null);
        return new java.util.ArrayList<>(Datasets.randomSplit(all, new double[] {0.8, 0.2}, new dev.kindling.api.Generator(42)));
    }

    private static Module mlp(boolean dropout) {
        return dropout ? new Sequential(new Linear(64, 64), new ReLU(), new Dropout(0.2), new Linear(64, 10))
                : new Sequential(new Linear(64, 64), new ReLU(), new Linear(64, 10));
    }

    @Test
    void trainsDigitsToHighAccuracyAndReportsMetrics() {
        Torch.manualSeed(0);
        List<Dataset<Sample>> split = digits();
        DataLoader<Sample> train = DataLoader.builder(split.get(0)).batchSize(32).shuffle(true).seed(1).build();
        DataLoader<Sample> test = DataLoader.builder(split.get(1)).batchSize(256).build();
        Module model = mlp(false);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer t = Trainer.builder(model).optimizer(new Adam(model.parameters(), 0.01)).loss(new CrossEntropyLoss())
                .epochs(15).callbacks(new ProgressLogger(new PrintStream(log, true))).build();
        History h = t.fit(train, test);
        assertEquals(15, h.size());
        EvalResult r = t.evaluate(test);
        assertTrue(r.accuracy() >= 0.95, "test accuracy " + r.accuracy() + "\n" + r.classification().report());
        assertEquals(r.accuracy(), h.last().get("val_accuracy"), 1e-12);
        assertTrue(r.classification().macroF1() > 0.9);
        assertEquals(split.get(1).size(), Math.toIntExact(r.samples()));
        long total = 0;
        for (long[] row : r.classification().confusionMatrix()) for (long v : row) total += v;
        assertEquals(r.samples(), total);
        String out = log.toString();
        assertTrue(out.contains("epoch 15/15") && out.contains("val_acc"), out);
        Tensor p = t.predict(test);
        assertArrayEquals(new long[] {split.get(1).size(), 10}, p.shape());
    }

    /** 4 epochs straight == 2 epochs, checkpoint, fresh objects, resume 2 more: bit for bit (dropout, shuffling, Adam, StepLR). */
    @Test
    void resumingFromACheckpointIsExact() throws IOException {
        float[] straight = run(4, null, dir.resolve("a"));
        Path ckpts = dir.resolve("b");
        run(2, null, ckpts);
        assertTrue(Files.exists(ckpts.resolve("epoch-0002/model.safetensors")));
        assertEquals("epoch-0002", Files.readString(ckpts.resolve("latest")).trim());
        float[] resumed = run(4, ckpts, dir.resolve("c"));
        assertArrayEquals(straight, resumed);
    }

    private static float[] run(int epochs, Path resume, Path ckptDir) {
        Torch.manualSeed(7);
        List<Dataset<Sample>> split = digits();
        DataLoader<Sample> train = DataLoader.builder(split.get(0)).batchSize(64).shuffle(true).seed(3).build();
        Module model = mlp(true);
        Adam opt = new Adam(model.parameters(), 0.005);
        Trainer.Builder b = Trainer.builder(model).optimizer(opt).loss(new CrossEntropyLoss()).epochs(epochs)
                .scheduler(new StepLR(opt, 1, 0.7), Trainer.SchedulerInterval.EPOCH)
                .callbacks(new ModelCheckpoint(ckptDir));
        if (resume != null) b.resumeFrom(resume);
        b.build().fit(train);
        float[] all = new float[0];
        for (Tensor p : model.parameters()) {
            float[] v = p.toFloatArray();
            float[] n = java.util.Arrays.copyOf(all, all.length + v.length);
            System.arraycopy(v, 0, n, all.length, v.length);
            all = n;
        }
        return all;
    }

    /**
     * Suspended at a step boundary inside an epoch (gradients accumulated over 2 batches), saved, resumed into fresh
     * objects: the rest of the epoch and the epochs after it end bit for bit where an uninterrupted run does, whether
     * the loader shuffles from its own generator or from the default one (which dropout also draws from).
     */
    @Test
    void suspendingMidEpochAndResumingIsExact() throws IOException {
        for (boolean loaderSeed : new boolean[] {true, false}) {
            Path d = dir.resolve("mid-" + loaderSeed);
            float[] straight = midEpochRun(3, loaderSeed, null, null, null);
            midEpochRun(3, loaderSeed, null, d, new int[] {1, 7});
            Checkpoint.Data c = Checkpoint.load(d);
            assertTrue(c.midEpoch());
            assertEquals(0, c.epoch(), "the last finished epoch");
            assertEquals(1, c.resumeEpoch());
            assertEquals(8, c.position().batch(), "suspended at the first step boundary after batch 7");
            assertEquals(8 + 4, c.step(), "8 steps in epoch 0 (15 batches, 2 accumulated), 4 in epoch 1");
            assertEquals(8 * 96.0, c.position().totals().get("samples"));
            assertEquals(8, ((Number) c.position().loader().get("batches_yielded")).intValue());
            float[] resumed = midEpochRun(3, loaderSeed, d, null, null);
            assertArrayEquals(straight, resumed, "loaderSeed=" + loaderSeed);
        }
    }

    /** After the epoch's last batch only its end is left: the resumed run validates and steps the scheduler, then goes on. */
    @Test
    void suspendingAfterTheLastBatchOfAnEpochResumesAtItsEnd() throws IOException {
        float[] straight = midEpochRun(2, true, null, null, null);
        Path d = dir.resolve("end");
        midEpochRun(2, true, null, d, new int[] {0, 15});
        Checkpoint.Data c = Checkpoint.load(d);
        assertEquals(15, c.position().batch());
        assertTrue(c.position().loader().isEmpty());
        assertArrayEquals(straight, midEpochRun(2, true, d, null, null));
    }

    /** About 1438 training digits in batches of 96: 15 batches an epoch, 8 optimizer steps with 2 accumulated. */
    private static float[] midEpochRun(int epochs, boolean loaderSeed, Path resume, Path suspendTo, int[] suspendAt) throws IOException {
        Torch.manualSeed(7);
        List<Dataset<Sample>> split = digits();
        DataLoader.Builder<Sample> lb = DataLoader.builder(split.get(0)).batchSize(96).shuffle(true);
        DataLoader<Sample> train = (loaderSeed ? lb.seed(3) : lb).build();
        Module model = mlp(true);
        Adam opt = new Adam(model.parameters(), 0.005);
        Trainer.Builder b = Trainer.builder(model).optimizer(opt).loss(new CrossEntropyLoss()).epochs(epochs).accumulateGradients(2)
                .scheduler(new StepLR(opt, 1, 0.7), Trainer.SchedulerInterval.EPOCH);
        assertEquals(15, train.size());
        if (suspendAt != null) {
            b.callbacks(new Callback() {
                @Override
                public void onBatchEnd(Trainer t, TrainingState s) {
                    if (s.epoch() == suspendAt[0] && s.batch() == suspendAt[1]) t.requestSuspend();
                }
            });
        }
        if (resume != null) b.resumeFrom(resume);
        Trainer t = b.build();
        t.fit(train);
        if (suspendTo != null) {
            assertTrue(t.suspended());
            Checkpoint.save(suspendTo, "suspended", t.snapshot(Map.of()));
        } else {
            assertEquals(false, t.suspended());
        }
        float[] all = new float[0];
        for (Tensor p : model.parameters()) {
            float[] v = p.toFloatArray();
            float[] n = java.util.Arrays.copyOf(all, all.length + v.length);
            System.arraycopy(v, 0, n, all.length, v.length);
            all = n;
        }
        return all;
    }

    @Test
    void aSnapshotBetweenAccumulatedBatchesIsRefused() {
        Torch.manualSeed(0);
        DataLoader<Sample> train = DataLoader.builder(digits().get(0)).batchSize(256).shuffle(true).seed(1).build();
        Module model = mlp(false);
        IllegalStateException[] refused = new IllegalStateException[1];
        Trainer.builder(model).optimizer(new SGD(model.parameters(), 0.05)).loss(new CrossEntropyLoss()).accumulateGradients(2)
                .callbacks(new Callback() {
                    @Override
                    public void onBatchEnd(Trainer t, TrainingState s) {
                        if (s.batch() == 1) refused[0] = assertThrows(IllegalStateException.class, () -> t.snapshot(Map.of()));
                        if (s.batch() == 2) assertTrue(t.snapshot(Map.of()).midEpoch());
                    }
                }).build().fit(train);
        assertTrue(refused[0].getMessage().contains("step boundary"), refused[0].getMessage());
    }

    /**
     * Moved to another device type between two steps and back (the mirror backend computes as the CPU does): the
     * parameters, their gradients and Adam's state change device in place, and the run ends bit for bit as one that
     * stayed on the CPU.
     */
    @Test
    void movingTheTrainingToAnotherDeviceTypeBetweenStepsKeepsItExact() throws IOException {
        dev.kindling.kernel.Kernel kernel = (dev.kindling.kernel.Kernel) dev.kindling.api.spi.TensorRuntimes.get();
        dev.kindling.kernel.spi.TensorBackend mirror = MirrorBackend.of(kernel.backends().select(dev.kindling.api.Device.CPU).unchecked(), "mirror");
        kernel.addBackend(mirror);
        try {
            float[] straight = midEpochRun(2, true, null, null, null);
            List<String> seen = new java.util.ArrayList<>();
            float[] moved = deviceRun(new Callback() {
                @Override
                public void onBatchEnd(Trainer t, TrainingState s) {
                    Tensor w = t.model().parameters().get(0);
                    Map<String, Object> adam = t.optimizer().state().get(w);
                    String expAvg = adam == null ? "none" : ((Tensor) adam.get("exp_avg")).device().type();
                    seen.add(s.epoch() + "." + s.batch() + ":" + w.device().type() + "/" + expAvg + "/" + w.grad().device().type());
                    if (s.epoch() == 0 && s.batch() == 5) t.requestDevice(dev.kindling.api.Device.of("mirror", 0));
                    if (s.epoch() == 1 && s.batch() == 3) t.requestDevice(dev.kindling.api.Device.CPU);
                }
            });
            assertEquals("0.5:cpu/cpu/cpu", seen.get(4));
            assertEquals("0.6:cpu/cpu/cpu", seen.get(5), "batch 6 ran on the CPU: the step boundary comes after it (2 accumulated)");
            assertEquals("0.7:mirror/mirror/mirror", seen.get(6));
            assertEquals("1.4:mirror/mirror/mirror", seen.get(15 + 3));
            assertEquals("1.5:cpu/cpu/cpu", seen.get(15 + 4));
            assertArrayEquals(straight, moved);
        } finally {
            kernel.removeBackend(mirror);
        }
    }

    private static float[] deviceRun(Callback moves) {
        Torch.manualSeed(7);
        List<Dataset<Sample>> split = digits();
        DataLoader<Sample> train = DataLoader.builder(split.get(0)).batchSize(96).shuffle(true).seed(3).build();
        Module model = mlp(true);
        Adam opt = new Adam(model.parameters(), 0.005);
        Trainer t = Trainer.builder(model).optimizer(opt).loss(new CrossEntropyLoss()).epochs(2).accumulateGradients(2)
                .scheduler(new StepLR(opt, 1, 0.7), Trainer.SchedulerInterval.EPOCH).callbacks(moves).build();
        t.fit(train);
        assertEquals(dev.kindling.api.Device.CPU, t.device());
        float[] all = new float[0];
        for (Tensor p : model.parameters()) {
            float[] v = p.toFloatArray();
            float[] n = java.util.Arrays.copyOf(all, all.length + v.length);
            System.arraycopy(v, 0, n, all.length, v.length);
            all = n;
        }
        return all;
    }

    /** Loses its graph once, after its dropout drew its random numbers, as an update of the autograd bundle mid-forward does. */
    static final class LosesItsGraphOnce extends Module {
        final Module net;
        private final int failAt;
        private int calls;

        LosesItsGraphOnce(Module net, int failAt) {
            this.net = net;
            this.failAt = failAt;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor out = net.forward(x);
            if (++calls == failAt) throw new dev.kindling.api.autograd.StaleGraphException("simulated: the graph's engine was replaced");
            return out;
        }
    }

    /** A batch whose graph was lost is computed again with the generators as they were: the run stays bit for bit. */
    @Test
    void aBatchWhoseGraphWasLostIsComputedAgainExactly() {
        float[] straight = graphLossRun(Integer.MAX_VALUE);
        assertArrayEquals(straight, graphLossRun(9));
    }

    private static float[] graphLossRun(int failAt) {
        Torch.manualSeed(7);
        DataLoader<Sample> train = DataLoader.builder(digits().get(0)).batchSize(96).shuffle(true).seed(3).build();
        Module model = new LosesItsGraphOnce(mlp(true), failAt);
        Trainer.builder(model).optimizer(new Adam(model.parameters(), 0.005)).loss(new CrossEntropyLoss()).epochs(1).build().fit(train);
        float[] all = new float[0];
        for (Tensor p : model.parameters()) {
            float[] v = p.toFloatArray();
            float[] n = java.util.Arrays.copyOf(all, all.length + v.length);
            System.arraycopy(v, 0, n, all.length, v.length);
            all = n;
        }
        return all;
    }

    /** A resumed run starts with the best checkpoint's metric to beat, so best/ stays the best of the whole run. */
    @Test
    void aResumedRunKeepsTheBestCheckpointOfTheWholeRun() throws IOException {
        Path ck = dir.resolve("best-run");
        fitWithBest(1, null, ck);
        Checkpoint.Data best = Checkpoint.load(ck.resolve("best"));
        Checkpoint.save(ck.resolve("best"), "checkpoint", new Checkpoint.Data(best.epoch(), best.step(), best.model(), best.modelSpec(),
                best.optimizer(), best.scheduler(), best.rng(), Map.of("train_accuracy", 2.0))); // unbeatable
        fitWithBest(3, ck, ck);
        assertEquals(2.0, Checkpoint.load(ck.resolve("best")).metrics().get("train_accuracy"));
        assertEquals("epoch-0003", Files.readString(ck.resolve("latest")).trim());
        fitWithBest(1, null, ck); // a fresh run starts from scratch
        assertTrue(Checkpoint.load(ck.resolve("best")).metrics().get("train_accuracy") < 1.0);
    }

    private static void fitWithBest(int epochs, Path resume, Path ckptDir) {
        Torch.manualSeed(1);
        DataLoader<Sample> train = DataLoader.builder(digits().get(0)).batchSize(128).shuffle(true).seed(1).build();
        Module model = mlp(false);
        Trainer.Builder b = Trainer.builder(model).optimizer(new SGD(model.parameters(), 0.05)).loss(new CrossEntropyLoss()).epochs(epochs)
                .callbacks(new ModelCheckpoint(ckptDir, 1, "train_accuracy", "max"));
        if (resume != null) b.resumeFrom(resume);
        b.build().fit(train);
    }

    /** A stop mid-epoch ends after the current batch; the cut-short epoch is validated unless told otherwise. */
    @Test
    void aStopMidEpochSkipsValidationWhenAsked() {
        for (boolean validate : new boolean[] {true, false}) {
            Torch.manualSeed(0);
            List<Dataset<Sample>> split = digits();
            DataLoader<Sample> train = DataLoader.builder(split.get(0)).batchSize(64).build();
            DataLoader<Sample> test = DataLoader.builder(split.get(1)).batchSize(256).build();
            Module model = mlp(false);
            Callback stopAtBatch2 = new Callback() {
                @Override
                public void onBatchEnd(Trainer t, TrainingState s) { if (s.batch() == 2) t.requestStop(); }
            };
            History h = Trainer.builder(model).optimizer(new SGD(model.parameters(), 0.1)).loss(new CrossEntropyLoss()).epochs(3)
                    .validateStoppedEpoch(validate).callbacks(stopAtBatch2, new EarlyStopping("val_loss", 1)).build().fit(train, test);
            assertEquals(1, h.size());
            assertEquals(validate, h.last().containsKey("val_accuracy"), h.toString());
        }
    }

    @Test
    void aCheckpointSaveThatFailsLeavesThePreviousOneIntact() throws IOException {
        Module model = mlp(false);
        SGD opt = new SGD(model.parameters(), 0.1);
        Trainer t = Trainer.builder(model).optimizer(opt).loss(new CrossEntropyLoss()).build();
        Path ckpts = dir.resolve("ck");
        Checkpoint.save(ckpts, "epoch-0001", t.snapshot(Map.of("train_loss", 1.0)));
        Checkpoint.Data bad = new Checkpoint.Data(2, 5, model.stateDict(), null, Map.of("state", new Object()), null, Map.of(), Map.of());
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(ckpts, "epoch-0002", bad));
        assertEquals("epoch-0001", Files.readString(ckpts.resolve("latest")).trim());
        assertTrue(Files.notExists(ckpts.resolve("epoch-0002")));
        try (var s = Files.list(ckpts)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp")), "temporary directory left behind");
        }
        Checkpoint.Data back = Checkpoint.load(ckpts);
        assertEquals(model.stateDict().keySet(), back.model().keySet());
        assertEquals(1.0, back.metrics().get("train_loss"));
    }

    @Test
    void corruptCheckpointsGetClearErrors() throws IOException {
        Path d = dir.resolve("x");
        Files.createDirectories(d);
        Files.writeString(d.resolve("checkpoint.json"), "{\"format\":\"something-else\"}");
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(d));
        assertTrue(e.getMessage().contains("not a Kindling checkpoint"), e.getMessage());
        Files.writeString(d.resolve("checkpoint.json"), "{ nope");
        e = assertThrows(IOException.class, () -> Checkpoint.load(d));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        e = assertThrows(IOException.class, () -> Checkpoint.load(dir.resolve("missing")));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void earlyStoppingStopsWhenTheMetricStallsAndCurvesAreLogged() throws IOException {
        Torch.manualSeed(0);
        Tensor x = Torch.randn(64, 3);
        Tensor y = x.sum(1, true);
        DataLoader<List<Tensor>> loader = DataLoader.builder(new TensorDataset(x, y)).batchSize(16).build();
        Module model = new Linear(3, 1);
        EarlyStopping stop = new EarlyStopping("train_loss", 1, "min", 10.0); // nothing improves by 10
        Trainer t = Trainer.builder(model).optimizer(new SGD(model.parameters(), 0.05)).loss(new MSELoss()).epochs(20)
                .callbacks(stop, new MetricLogger(dir.resolve("logs"))).build();
        History h = t.fit(loader);
        assertEquals(2, h.size(), "stops after the first epoch plus patience");
        assertEquals(1, stop.stoppedEpoch());
        List<String> csv = Files.readAllLines(dir.resolve("logs/metrics.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(0).startsWith("epoch,step,train_loss"), csv.get(0));
        try (var s = Files.list(dir.resolve("logs"))) {
            Path events = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents")).findFirst().orElseThrow();
            List<SummaryWriterTest.Scalar> scalars = SummaryWriterTest.read(events, new java.util.ArrayList<>());
            assertTrue(scalars.stream().anyMatch(v -> v.tag().equals("epoch/train_loss") && v.step() == 2), scalars.toString());
            assertEquals(8, scalars.stream().filter(v -> v.tag().equals("batch/loss")).count());
        }
    }

    @Test
    void gradientAccumulationEqualsOneLargerBatch() {
        Torch.manualSeed(5);
        Tensor x = Torch.randn(32, 4);
        Tensor y = x.mul(2.0).sum(1, true);
        Module a = new Linear(4, 1);
        Module b = new Linear(4, 1);
        b.loadStateDict(a.stateDict());
        Trainer.builder(a).optimizer(new SGD(a.parameters(), 0.1)).loss(new MSELoss()).build()
                .fit(DataLoader.builder(new TensorDataset(x, y)).batchSize(16).build());
        Trainer.builder(b).optimizer(new SGD(b.parameters(), 0.1)).loss(new MSELoss()).accumulateGradients(2).build()
                .fit(DataLoader.builder(new TensorDataset(x, y)).batchSize(8).build());
        float[] wa = a.parameters().get(0).toFloatArray();
        float[] wb = b.parameters().get(0).toFloatArray();
        for (int i = 0; i < wa.length; i++) assertEquals(wa[i], wb[i], 1e-6);
    }

    @Test
    void classificationMetricsMatchHandComputedValues() {
        ClassificationMetrics m = new ClassificationMetrics(3, 2);
        // predictions: argmax of each row; targets below
        Tensor scores = Torch.tensor(new float[][] {{5, 1, 0}, {0, 3, 1}, {0, 4, 1}, {1, 0, 2}, {3, 0, 2}});
        m.update(scores, Torch.tensor(new long[] {0, 1, 2, 2, 2}));
        assertEquals(3.0 / 5, m.accuracy(), 1e-12);          // rows 0, 1, 3 right
        assertArrayEquals(new double[] {0.5, 0.5, 1.0}, m.precision(), 1e-12);
        assertArrayEquals(new double[] {1.0, 1.0, 1.0 / 3}, m.recall(), 1e-12);
        assertEquals((2.0 / 3 + 2.0 / 3 + 0.5) / 3, m.macroF1(), 1e-12);
        assertEquals(1.0, m.topKAccuracy(), 1e-12);          // every target is within the two best scores
        assertArrayEquals(new long[] {1, 1, 1}, m.confusionMatrix()[2]); // true class 2 predicted as 1, 2, 0
        assertThrows(IllegalArgumentException.class, () -> m.update(scores, Torch.tensor(new long[] {0, 1, 7, 2, 2})));
    }
}
