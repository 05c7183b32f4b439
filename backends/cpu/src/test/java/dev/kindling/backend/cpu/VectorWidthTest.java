package dev.kindling.backend.cpu;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every Vector API kernel of this backend computes in 256-bit vectors ({@link VectorApi} says why: C2 slowed one
 * kernel 5-10x once two widths ran in one JVM); the 16-bit halves converted to and from 8 floats are 128-bit short
 * vectors. Only the 512-bit SGEMM micro-kernels in {@link MicroKernels}, chosen by
 * {@code -Dkindling.cpu.sgemmKernel} alone, name another width; a new kernel that reaches for the preferred or widest
 * species fails here.
 */
class VectorWidthTest {
    private static final Pattern OTHER_WIDTH = Pattern.compile("(Float|Double|Int|Long)Vector\\.SPECIES_(MAX|512|128|64)|SPECIES_PREFERRED|forBitSize|ofPreferred|ofLargestShape");

    @Test
    void onlyTheOptInSgemmKernelsUseAnotherVectorWidth() throws IOException {
        Path sources = Path.of("src/main/java/dev/kindling/backend/cpu");
        List<String> offenders;
        try (Stream<Path> files = Files.list(sources)) {
            offenders = files.filter(f -> f.toString().endsWith(".java") && !f.getFileName().toString().equals("MicroKernels.java"))
                    .flatMap(f -> {
                        try {
                            return Files.readAllLines(f).stream().filter(l -> !l.trim().startsWith("*") && !l.trim().startsWith("//"))
                                    .filter(l -> OTHER_WIDTH.matcher(l).find()).map(l -> f.getFileName() + ": " + l.trim());
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).collect(Collectors.toList());
        }
        assertEquals(List.of(), offenders, "kernels must use 256-bit species (see VectorApi)");
    }
}
