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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Vector API kernel of this backend computes in one width, {@link VectorApi#BITS}, through the species of
 * {@link Species} ({@link VectorApi} says why: C2 slowed one kernel 5-10x once two widths ran in one JVM). Only
 * {@link Species}, {@link VectorApi}'s probe and the SGEMM micro-kernels of {@link MicroKernels} (each written for one
 * width, chosen by {@link VectorSgemm#defaultKernel} or {@code -Dkindling.cpu.sgemmKernel}) name a species; a kernel
 * that reaches for one of its own fails here.
 */
class VectorWidthTest {
    private static final Pattern OWN_WIDTH = Pattern.compile("(Float|Double|Int|Long|Short|Byte)Vector\\.SPECIES_|forBitSize|ofPreferred|ofLargestShape");
    private static final List<String> ALLOWED = List.of("Species.java", "VectorApi.java", "MicroKernels.java");

    @Test
    void kernelsTakeTheirSpeciesFromTheOneWidth() throws IOException {
        Path sources = Path.of("src/main/java/dev/kindling/backend/cpu");
        List<String> offenders;
        try (Stream<Path> files = Files.list(sources)) {
            offenders = files.filter(f -> f.toString().endsWith(".java") && !ALLOWED.contains(f.getFileName().toString()))
                    .flatMap(f -> {
                        try {
                            return Files.readAllLines(f).stream().filter(l -> !l.trim().startsWith("*") && !l.trim().startsWith("//"))
                                    .filter(l -> OWN_WIDTH.matcher(l).find()).map(l -> f.getFileName() + ": " + l.trim());
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).collect(Collectors.toList());
        }
        assertEquals(List.of(), offenders, "kernels must use the species of Species (one width per JVM, see VectorApi)");
    }

    @Test
    void theWidthIsTheCpusUnlessASupportedOneIsAskedFor() {
        assertEquals(512, VectorApi.bits("", 512));
        assertEquals(256, VectorApi.bits("", 256));
        assertEquals(512, VectorApi.bits("", 1024), "no kernel is written for more than 512 bits");
        assertEquals(256, VectorApi.bits("256", 512));
        assertEquals(512, VectorApi.bits(" 512 ", 512));
        IllegalArgumentException tooWide = assertThrows(IllegalArgumentException.class, () -> VectorApi.bits("512", 256));
        assertTrue(tooWide.getMessage().contains("512") && tooWide.getMessage().contains("256 bits"), tooWide.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VectorApi.bits("wide", 512)).getMessage().contains("'wide'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VectorApi.bits("128", 512)).getMessage().contains("256 or 512"));
    }

    @Test
    void theKernelsUseTheChosenWidth() {
        assertTrue(VectorApi.AVAILABLE, "tests run with --add-modules jdk.incubator.vector");
        assertEquals(VectorApi.BITS, Species.FLOAT.vectorBitSize());
        assertEquals(VectorApi.BITS, Species.DOUBLE.vectorBitSize());
        assertEquals(Species.FLOAT.length(), Species.HALF_SHORT.length());
        String asked = System.getProperty("kindling.cpu.vectorBits", "");
        if (!asked.isEmpty()) assertEquals(Integer.parseInt(asked), VectorApi.BITS, "the surefire execution's setting");
    }
}
