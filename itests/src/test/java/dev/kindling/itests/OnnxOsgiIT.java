package dev.kindling.itests;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.Kernel;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxModel;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import javax.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * The onnx bundle on a real Felix: it resolves with protobuf-java and its private copy of the ONNX classes (exporting
 * only Kindling's packages), and exports and imports a model inside the container, with no native runtime.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OnnxOsgiIT {
    @Inject
    BundleContext context;

    @Inject
    Kernel kernel;

    @Configuration
    public Option[] config() {
        List<String> bundles = new ArrayList<>(Arrays.asList(KindlingOsgiIT.BUNDLES));
        bundles.addAll(List.of("protobuf-java", "kindling-io", "kindling-onnx"));
        return KindlingOsgiIT.container(bundles);
    }

    private Bundle onnxBundle() {
        for (Bundle b : context.getBundles()) if (b.getSymbolicName().equals("dev.kindling.onnx")) return b;
        return null;
    }

    @Test
    public void theBundleResolvesAndKeepsTheOnnxClassesPrivate() {
        Bundle b = onnxBundle();
        assertNotNull("dev.kindling.onnx installed", b);
        assertEquals(Bundle.ACTIVE, b.getState());
        String exports = b.getHeaders().get("Export-Package");
        assertTrue(exports, exports.contains("dev.kindling.onnx") && exports.contains("dev.kindling.jit"));
        assertFalse(exports, exports.contains("ai.onnx.proto"));
    }

    @Test
    public void exportsAndImportsAModelInTheContainer() throws Exception {
        Torch.manualSeed(5);
        Module mlp = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
        mlp.eval();
        Tensor x = Torch.randn(5, 4);
        Path f = Files.createTempFile("kindling-itest", ".onnx");
        try {
            Onnx.export(mlp, x, f);
            OnnxModel back = Onnx.load(f);
            assertEquals(List.of("input"), back.inputNames());
            assertArrayEquals(mlp.forward(x).toFloatArray(), back.forward(x).toFloatArray(), 1e-6f);
            assertEquals(mlp.stateDict().keySet(), back.stateDict().keySet());
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
