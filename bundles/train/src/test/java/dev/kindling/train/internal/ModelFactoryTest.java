package dev.kindling.train.internal;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.Sample;
import dev.kindling.data.TensorDataset;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFactoryTest {
    private static final dev.kindling.kernel.Kernel KERNEL = (dev.kindling.kernel.Kernel) dev.kindling.api.spi.TensorRuntimes.get();

    @TempDir
    Path dir;

    private static long[] out(String spec, long... inputShape) {
        Module m = ModelSpec.fromJson(spec).build();
        long[] shape = new long[inputShape.length + 1];
        shape[0] = 3;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        try (var g = Torch.noGrad()) {
            return m.forward(Torch.zeros(shape)).shape();
        }
    }

    @Test
    void mlpFollowsTheDataset() {
        String digits = ModelFactory.spec(KERNEL, "mlp", Map.of(), new long[] {64}, 10, dir);
        assertEquals("flatten linear(64→128) relu linear(128→10)", ModelFactory.summary(digits));
        assertArrayEquals(new long[] {3, 10}, out(digits, 64));
        String fashion = ModelFactory.spec(KERNEL, "mlp", Map.of(), new long[] {1, 28, 28}, 10, dir);
        assertEquals("flatten linear(784→256) relu linear(256→10)", ModelFactory.summary(fashion));
        assertArrayEquals(new long[] {3, 10}, out(fashion, 1, 28, 28));
        String iris = ModelFactory.spec(KERNEL, "MLP", Map.of("hidden", List.of("16", "8"), "dropout", "0.1"), new long[] {4}, 3, dir);
        assertEquals("flatten linear(4→16) relu dropout(p=0.1) linear(16→8) relu dropout(p=0.1) linear(8→3)", ModelFactory.summary(iris));
    }

    @Test
    void cnnFollowsTheImageSize() {
        String fashion = ModelFactory.spec(KERNEL, "cnn", Map.of(), new long[] {1, 28, 28}, 10, dir);
        assertEquals("conv2d(1→32,kernel=3,padding=1) relu maxpool2d(kernel=2) conv2d(32→64,kernel=3,padding=1) relu maxpool2d(kernel=2) "
                + "flatten linear(3136→128) relu linear(128→10)", ModelFactory.summary(fashion));
        String digits = ModelFactory.spec(KERNEL, "cnn", Map.of("channels", "8", "hidden", "32"), new long[] {1, 8, 8}, 10, dir);
        assertTrue(ModelFactory.summary(digits).contains("linear(128→32)"), ModelFactory.summary(digits)); // 8 channels x 4 x 4
        assertArrayEquals(new long[] {3, 10}, out(digits, 1, 8, 8));
        String cifar = ModelFactory.spec(KERNEL, "cnn", Map.of(), new long[] {3, 32, 32}, 10, dir);
        assertTrue(ModelFactory.summary(cifar).contains("conv2d(3→32") && ModelFactory.summary(cifar).contains("linear(4096→128)"));
    }

    @Test
    void specFilesAndInlineJson() throws Exception {
        String json = "[{\"type\":\"linear\",\"in\":64,\"out\":10}]";
        Files.writeString(dir.resolve("m.json"), json);
        assertEquals("linear(64→10)", ModelFactory.summary(ModelFactory.spec(KERNEL, "m.json", Map.of(), new long[] {64}, 10, dir)));
        assertEquals("linear(64→10)", ModelFactory.summary(ModelFactory.spec(KERNEL, json, Map.of(), new long[] {64}, 10, dir)));
        assertFalse(ModelFactory.wantsImages("m.json", dir));
        assertTrue(ModelFactory.wantsImages("cnn", dir));
        assertTrue(ModelFactory.wantsImages("[{\"type\":\"sequential\",\"layers\":[{\"type\":\"conv2d\",\"in\":1,\"out\":2,\"kernel\":3}]}]", dir));
        assertFalse(ModelFactory.wantsImages("mlp", dir));
    }

    @Test
    void badModelsGetClearErrors() {
        String e = assertThrows(IllegalArgumentException.class, () -> ModelFactory.spec(KERNEL, "resnet", Map.of(), new long[] {64}, 10, dir)).getMessage();
        assertTrue(e.contains("unknown model 'resnet'") && e.contains("mlp, cnn"), e);
        e = assertThrows(IllegalArgumentException.class, () -> ModelFactory.spec(KERNEL, "cnn", Map.of(), new long[] {4}, 3, dir)).getMessage();
        assertTrue(e.contains("needs image inputs"), e);
        e = assertThrows(IllegalArgumentException.class, () -> ModelFactory.spec(KERNEL, "mlp", Map.of("width", "3"), new long[] {4}, 3, dir)).getMessage();
        assertTrue(e.contains("unknown parameter 'width'; it accepts: hidden, dropout"), e);
        e = assertThrows(IllegalArgumentException.class, () -> ModelFactory.spec(KERNEL, "mlp", Map.of("dropout", "1.5"), new long[] {4}, 3, dir)).getMessage();
        assertTrue(e.contains("'dropout' must be in [0, 1)"), e);
        e = assertThrows(IllegalArgumentException.class, () -> ModelFactory.spec(KERNEL, "[{\"type\":\"nosuchlayer\"}]", Map.of(), new long[] {4}, 3, dir)).getMessage();
        assertTrue(e.contains("unknown layer type 'nosuchlayer'; installed: [") && e.contains("conv2d"), e);
    }

    @Test
    void checkRunsTwoSamplesAndComparesTheClasses() {
        Tensor x = Torch.randn(4, 64);
        Tensor y = Torch.tensor(new long[] {0, 1, 2, 3});
        var data = dev.kindling.data.Datasets.map(new TensorDataset(x, y), l -> new Sample(l.get(0), l.get(1)));
        Module ok = ModelSpec.fromJson(ModelFactory.spec(KERNEL, "mlp", Map.of(), new long[] {64}, 10, dir)).build();
        ModelFactory.check(ok, data, 10, "test");
        String e = assertThrows(IllegalArgumentException.class, () -> ModelFactory.check(ok, data, 5, "test")).getMessage();
        assertTrue(e.contains("outputs of shape [10]") && e.contains("5 classes"), e);
        Module wrong = ModelSpec.fromJson("[{\"type\":\"linear\",\"in\":32,\"out\":10}]").build();
        e = assertThrows(IllegalArgumentException.class, () -> ModelFactory.check(wrong, data, 10, "test")).getMessage();
        assertTrue(e.contains("does not fit test's inputs [64]"), e);
    }
}
