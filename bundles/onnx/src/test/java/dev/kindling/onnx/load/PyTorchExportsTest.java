package dev.kindling.onnx.load;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models exported by PyTorch 2.13 (committed fixtures, {@code onnx-load/pytorch/make_fixtures.py}): an MLP, a CNN with
 * BatchNorm, a 2-layer BiLSTM, a GRU, a TransformerEncoderLayer and a pre-norm TransformerDecoderLayer,
 * MultiheadAttention, causal scaled_dot_product_attention, Embedding (+LSTM), LayerNorm+GELU, Conv1d+AvgPool1d,
 * ConvTranspose2d+bilinear upsampling, depthwise conv with GroupNorm/InstanceNorm/SiLU/pixel_shuffle/nearest
 * downsampling, topk/gather/cumsum/argmax/where, reflect/replicate/constant padding, and var/std/norm/logsumexp/prod,
 * each through the TorchScript exporter (opset 17) and the dynamo exporter (opset 20), exported at batch 2 and checked
 * against PyTorch's output at batch 3.
 */
class PyTorchExportsTest {
    static Path fixtures() throws URISyntaxException {
        return Path.of(PyTorchExportsTest.class.getResource("/onnx-load/pytorch").toURI());
    }

    @TestFactory
    Stream<DynamicTest> pytorchExportsMatchPyTorch() throws IOException, URISyntaxException {
        List<Path> cases;
        try (Stream<Path> s = Files.list(fixtures())) {
            cases = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().toList();
        }
        assertEquals(34, cases.size(), "fixtures missing: " + cases);
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> assertNull(CaseRunner.check(dir))));
    }

    /** The exported CNN's weights (conv, folded BatchNorm, linear) are parameters that a backward pass reaches. */
    @Test
    void anExportedCnnIsTrainable() throws Exception {
        OnnxModel m = Onnx.load(fixtures().resolve("test_cnn_legacy/model.onnx"));
        Map<String, Tensor> params = m.namedParameters();
        assertTrue(params.size() >= 6, "parameters: " + params.keySet());
        m.forward(Torch.randn(4, 3, 16, 16)).square().sum().backward();
        params.forEach((name, p) -> assertNotNull(p.grad(), "no gradient at " + name));
    }
}
