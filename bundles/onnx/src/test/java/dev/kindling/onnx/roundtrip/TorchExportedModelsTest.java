package dev.kindling.onnx.roundtrip;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models exported by PyTorch 2.13 (its TorchScript-based exporter at opset 17 and its dynamo exporter at opset 18; made
 * by src/test/python/make_torch_onnx_fixtures.py, checked there in ONNX Runtime) load in Kindling and match PyTorch's
 * outputs: atol 1e-5, rtol 1e-4.
 */
@SuppressWarnings("try")
class TorchExportedModelsTest {
    static Path fixtures() {
        try {
            return Path.of(TorchExportedModelsTest.class.getResource("/onnx-torch/cases.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TensorProto as numpy_helper writes it (raw little-endian float32 or int64). */
    static Tensor tensor(TensorProto p) {
        long[] shape = p.getDimsList().stream().mapToLong(Long::longValue).toArray();
        ByteBuffer raw = p.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        switch (p.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE: {
                float[] v = new float[raw.remaining() / 4];
                raw.asFloatBuffer().get(v);
                return Torch.tensor(v, shape);
            }
            case TensorProto.DataType.INT64_VALUE: {
                long[] v = new long[raw.remaining() / 8];
                raw.asLongBuffer().get(v);
                return Torch.tensor(v, shape);
            }
            default:
                throw new IllegalArgumentException("fixture tensor of ONNX type " + p.getDataType());
        }
    }

    static Tensor read(Path pb) {
        try {
            return tensor(TensorProto.parseFrom(Files.readAllBytes(pb)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestFactory
    List<DynamicTest> pytorchExportsRunInKindlingAndMatchPyTorch() throws IOException {
        List<Path> cases;
        try (Stream<Path> s = Files.list(fixtures())) {
            cases = s.filter(Files::isDirectory).sorted().collect(Collectors.toList());
        }
        assertEquals(12, cases.size(), "fixture cases in " + fixtures());
        List<DynamicTest> tests = new ArrayList<>();
        for (Path c : cases) {
            tests.add(DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
                OnnxModel m = Onnx.load(c.resolve("model.onnx"));
                Tensor x = read(c.resolve("input_0.pb"));
                Tensor want = read(c.resolve("output_0.pb"));
                Tensor got;
                try (GradMode ignored = Torch.noGrad()) {
                    got = m.run(x)[0];
                }
                assertArrayEquals(want.shape(), got.shape(), c.getFileName().toString());
                double excess = got.sub(want).abs().sub(want.abs().mul(1e-4)).max().item();
                assertTrue(excess <= 1e-5, c.getFileName() + ": beyond atol 1e-5 + rtol 1e-4 of PyTorch by " + excess);
            }));
        }
        return tests;
    }
}
