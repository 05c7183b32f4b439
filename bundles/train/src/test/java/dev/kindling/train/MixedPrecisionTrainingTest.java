package dev.kindling.train;

import dev.kindling.api.DType;
import dev.kindling.api.Torch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Dataset;
import dev.kindling.data.Datasets;
import dev.kindling.data.Sample;
import dev.kindling.datasets.Digits;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trainer precision: bf16-mixed trains as well as float32 with float32 weights; fp16-mixed checkpoints its scaler. */
class MixedPrecisionTrainingTest {
    @TempDir
    Path dir;

    private static List<Dataset<Sample>> digits() {
        Dataset<Sample> all = new Digits(x -> x.div(16.0), null);
        return new ArrayList<>(Datasets.randomSplit(all, new double[] {0.8, 0.2}, new dev.kindling.api.Generator(42)));
    }

    private static double train(Precision precision, int epochs) { return trainer(precision, epochs).evaluate(testSet()).accuracy(); }

    private static DataLoader<Sample> testSet() { return DataLoader.builder(digits().get(1)).batchSize(256).build(); }

    private static Trainer trainer(Precision precision, int epochs) {
        Torch.manualSeed(0);
        List<Dataset<Sample>> split = digits();
        DataLoader<Sample> train = DataLoader.builder(split.get(0)).batchSize(32).shuffle(true).seed(1).build();
        DataLoader<Sample> test = DataLoader.builder(split.get(1)).batchSize(256).build();
        Module model = new Sequential(new Linear(64, 64), new ReLU(), new Linear(64, 10));
        Trainer t = Trainer.builder(model).optimizer(new SGD(model.parameters(), 0.1)).loss(new CrossEntropyLoss())
                .epochs(epochs).precision(precision).build();
        t.fit(train, test);
        for (var p : model.parameters()) assertEquals(DType.FLOAT32, p.dtype(), "weights stay float32");
        return t;
    }

    @Test
    void bf16MixedReachesFloat32Accuracy() {
        double fp32 = train(Precision.FP32, 5);
        double bf16 = train(Precision.BF16_MIXED, 5);
        assertTrue(fp32 > 0.9, "fp32 " + fp32);
        assertTrue(Math.abs(bf16 - fp32) <= 0.02, "bf16-mixed " + bf16 + " vs fp32 " + fp32);
    }

    @Test
    void fp16MixedScalesTheLossAndCheckpointsTheScaler() throws Exception {
        double fp32 = train(Precision.FP32, 5);
        Trainer t = trainer(Precision.FP16_MIXED, 5);
        assertNotNull(t.gradScaler());
        double fp16 = t.evaluate(testSet()).accuracy();
        assertTrue(Math.abs(fp16 - fp32) <= 0.02, "fp16-mixed " + fp16 + " vs fp32 " + fp32);
        Map<String, Object> state = t.gradScaler().stateDict();
        assertEquals(t.step(), ((Number) state.get("_growth_tracker")).longValue(), "every step was clean, so the scaler counted each: " + t.gradScaler());
        Checkpoint.save(dir, "c", t.snapshot(Map.of()));
        Checkpoint.Data d = Checkpoint.load(dir.resolve("c"));
        assertEquals(((Number) state.get("scale")).doubleValue(), ((Number) d.gradScaler().get("scale")).doubleValue(), 0.0);
        assertEquals(((Number) state.get("_growth_tracker")).intValue(), ((Number) d.gradScaler().get("_growth_tracker")).intValue());
        Module model = new Sequential(new Linear(64, 32), new ReLU(), new Linear(32, 10));
        Trainer bf = Trainer.builder(model).optimizer(new SGD(model.parameters(), 0.1)).loss(new CrossEntropyLoss())
                .precision(Precision.BF16_MIXED).build();
        assertNull(bf.gradScaler(), "bfloat16 needs no loss scaling");
        assertNull(bf.snapshot(Map.of()).gradScaler());
    }

    @Test
    void precisionNamesParseAsLightningsDo() {
        assertEquals(Precision.BF16_MIXED, Precision.parse("bf16-mixed"));
        assertEquals(Precision.FP16_MIXED, Precision.parse("16-mixed"));
        assertEquals(Precision.FP32, Precision.parse("32"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp8"));
        assertTrue(e.getMessage().contains("unknown precision 'fp8'"));
    }
}
