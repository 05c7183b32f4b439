package dev.kindling.io;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
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
}
