package dev.kindling.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The committed {@code kindling_ops.h} holds exactly the codes the Java enums generate ({@link OpCodesHeader}), so the
 * kernels and {@link CudaBackend} agree on every op and dtype code. With {@code -Dkindling.regenerate=true} the test
 * rewrites the header instead of checking it.
 */
class OpCodesHeaderTest {
    private static final String REGENERATE =
            "regenerate it with: mvn -o -pl backends/cuda test -Dtest=OpCodesHeaderTest -Dkindling.regenerate=true"
            + " (then backends/cuda/src/main/cuda/build-ptx.sh, and commit the header, the .cu and the .ptx together)";

    @Test
    void committedHeaderMatchesTheEnums() throws IOException {
        Path dir = Path.of(System.getProperty("user.dir"));
        Path header = OpCodesHeader.file(dir);
        if (Boolean.getBoolean("kindling.regenerate")) {
            OpCodesHeader.write(dir);
            System.out.println("OpCodesHeaderTest: wrote " + header);
            return;
        }
        if (!Files.exists(header)) fail(header + " is missing; " + REGENERATE);
        String committed = Files.readString(header, StandardCharsets.UTF_8);
        String expected = OpCodesHeader.generate();
        if (committed.equals(expected)) return;

        Set<String> want = new LinkedHashSet<>(lines(expected)), have = new LinkedHashSet<>(lines(committed));
        List<String> problems = new ArrayList<>();
        for (String l : want) if (!have.contains(l)) problems.add("missing or different: " + l);
        for (String l : have) if (!want.contains(l)) problems.add("stale: " + l);
        if (problems.isEmpty()) problems.add("same entries, different order or comments");
        fail(header + " does not match the Java enums (UnaryOp, BinaryOp, ReduceOp, DType):\n  "
                + String.join("\n  ", problems) + "\n" + REGENERATE);
    }

    @Test
    void kernelsIncludeTheHeaderAndNumberNoOpsByHand() throws IOException {
        String cu = Files.readString(Path.of(System.getProperty("user.dir"), "src/main/cuda/kindling_kernels.cu"));
        assertTrue(cu.contains("#include \"kindling_ops.h\""), "kindling_kernels.cu includes kindling_ops.h");
        assertTrue(!cu.matches("(?s).*\\bcase [0-9]+:\\s*return (-x|a \\+ b|acc \\+ t).*"),
                "op switches in kindling_kernels.cu use the generated names, not numbers");
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) if (l.startsWith("#define ")) out.add(l);
        return out;
    }
}
