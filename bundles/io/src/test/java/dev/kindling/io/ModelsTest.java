package dev.kindling.io;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.DType;
import dev.kindling.nn.Linear;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.nn.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelsTest {
    @TempDir
    Path dir;

    @Test
    void wholeModelsRoundTripAndStayPlainStateDicts() throws Exception {
        Torch.manualSeed(1);
        Module m = ModelSpec.fromJson("[{\"type\":\"conv2d\",\"in\":1,\"out\":4,\"kernel\":3},{\"type\":\"batchnorm2d\",\"features\":4},"
                + "{\"type\":\"relu\"},{\"type\":\"flatten\"},{\"type\":\"linear\",\"in\":64,\"out\":3}]").build();
        Path f = dir.resolve("m.safetensors");
        Models.save(m, f);
        Module back = Models.load(f);
        assertEquals(m.toString(), back.toString());
        Tensor x = Torch.rand(2, 1, 6, 6);
        m.eval();
        back.eval();
        assertArrayEquals(m.forward(x).toFloatArray(), back.forward(x).toFloatArray());
        assertTrue(Models.spec(f).contains("conv2d"));
        Map<String, Tensor> plain = Torch.load(f); // the same file is an ordinary state dict
        assertEquals(m.stateDict().keySet(), plain.keySet());
    }

    @Test
    void aPlainStateDictOrAnUnknownLayerIsAClearError() throws Exception {
        Path plain = dir.resolve("plain.safetensors");
        Torch.save(Map.of("w", Torch.ones(2)), plain);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Models.load(plain));
        assertTrue(e.getMessage().contains("plain state dict"), e.getMessage());
        Path unknown = dir.resolve("unknown.safetensors");
        Safetensors.save(Map.of("w", Torch.ones(2)), Map.of(Models.SPEC_KEY, "[{\"type\":\"no-such-layer\"}]"), unknown);
        e = assertThrows(SafetensorsException.class, () -> Models.load(unknown));
        assertTrue(e.getMessage().contains("no-such-layer"), e.getMessage());
    }

    /** A model written as in PyTorch: no layer provider describes it, so no ModelSpec. */
    public static class Net extends Module {
        Linear fc1 = new Linear(4, 3);
        Tensor scale = Parameter.of(Torch.ones(1));
        Linear fc2 = new Linear(3, 2);

        @Override
        public Tensor forward(Tensor x) { return fc2.forward(fc1.forward(x).relu()).mul(scale); }
    }

    public static class Other extends Module {
        Linear fc1 = new Linear(4, 3);

        @Override
        public Tensor forward(Tensor x) { return fc1.forward(x); }
    }

    @Test
    void customModelClassesSaveWithTheirClassNameAndLoadThroughAFactory() throws Exception {
        Torch.manualSeed(2);
        Net net = new Net();
        try (var g = Torch.noGrad()) { net.scale.fill_(2.0); }
        Path f = dir.resolve("net.safetensors");
        Models.save(net, f);
        assertEquals(Net.class.getName(), Models.modelClass(f));
        assertEquals(null, Models.spec(f));
        Net back = Models.load(f, Net::new);
        Tensor x = Torch.rand(5, 4);
        assertArrayEquals(net.forward(x).toFloatArray(), back.forward(x).toFloatArray());
        assertEquals(net.stateDict().keySet(), Torch.load(f).keySet(), "still a plain state dict for PyTorch");

        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Models.load(f));
        assertTrue(e.getMessage().contains(Net.class.getName()) && e.getMessage().contains("Models.load(path, Net::new)"), e.getMessage());
        e = assertThrows(SafetensorsException.class, () -> Models.load(f, Other::new));
        assertTrue(e.getMessage().contains("the file holds a model of class " + Net.class.getName() + ", but the factory built a "
                + Other.class.getName()), e.getMessage());

        Path plain = dir.resolve("plain.safetensors");
        Torch.save(Map.of("fc1.weight", Torch.ones(3, 4)), plain);
        e = assertThrows(SafetensorsException.class, () -> Models.load(plain, Net::new));
        assertTrue(e.getMessage().contains("Missing key(s) in state_dict: \"scale\", \"fc1.bias\", \"fc2.weight\", \"fc2.bias\""), e.getMessage());

        Net wide = Models.load(f, Net::new);
        wide.to(DType.FLOAT64);
        Path f64 = dir.resolve("net64.safetensors");
        Models.save(wide, f64);
        Net narrow = Models.load(f64, Net::new); // as load_state_dict: values are copied into the new model's dtype
        assertEquals(DType.FLOAT32, narrow.fc1.weight().dtype());
        assertArrayEquals(net.fc1.weight().toFloatArray(), narrow.fc1.weight().toFloatArray());
    }

    @Test
    void specFilesRecordTheClassAndStillLoadEitherWay() throws Exception {
        Module seq = ModelSpec.fromJson("[{\"type\":\"linear\",\"in\":4,\"out\":2}]").build();
        Path f = dir.resolve("seq.safetensors");
        Models.save(seq, f);
        assertTrue(Models.spec(f).contains("linear"));
        assertEquals(seq.toString(), Models.load(f).toString());
        Module viaFactory = Models.load(f, () -> ModelSpec.fromJson("[{\"type\":\"linear\",\"in\":4,\"out\":2}]").build());
        assertArrayEquals(seq.stateDict().get("0.weight").toFloatArray(), viaFactory.stateDict().get("0.weight").toFloatArray());
    }
}
