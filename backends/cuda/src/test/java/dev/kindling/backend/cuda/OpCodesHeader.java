package dev.kindling.backend.cuda;

import dev.kindling.api.DType;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.ReduceOp;
import dev.kindling.kernel.spi.UnaryOp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Generates {@code src/main/cuda/kindling_ops.h}, the op and dtype codes that {@code kindling_kernels.cu} switches on,
 * from the Java enums whose ordinals {@link CudaBackend} passes to the kernels. The header is committed (the PTX is
 * built from it and CI has no nvcc); {@code OpCodesHeaderTest} fails when it no longer matches the enums.
 *
 * <p>Regenerate: {@code mvn -o -pl backends/cuda test -Dtest=OpCodesHeaderTest -Dkindling.regenerate=true}, then
 * {@code backends/cuda/src/main/cuda/build-ptx.sh}, and commit the header, the .cu and the .ptx together.
 */
final class OpCodesHeader {
    /** The header's path relative to the module directory. */
    static final String PATH = "src/main/cuda/kindling_ops.h";

    private OpCodesHeader() {}

    /** One {@code #define NAME value} line, without the line break. */
    static List<String> defines() {
        List<String> d = new ArrayList<>();
        for (DType t : DType.values()) d.add(define("DTYPE_" + t.name(), t.ordinal()));
        for (UnaryOp op : UnaryOp.values()) d.add(define("UNARY_" + op.name(), op.ordinal()));
        for (BinaryOp op : BinaryOp.values()) d.add(define("BINARY_" + op.name(), op.ordinal()));
        for (ReduceOp op : ReduceOp.values()) d.add(define("REDUCE_" + op.name(), op.ordinal()));
        return d;
    }

    static String generate() {
        StringBuilder s = new StringBuilder();
        s.append("// GENERATED from the Java enums by backends/cuda/src/test/java/dev/kindling/backend/cuda/OpCodesHeader.java;\n")
         .append("// do not edit. CudaBackend passes each constant's ordinal to the kernels. Regenerate with\n")
         .append("//   mvn -o -pl backends/cuda test -Dtest=OpCodesHeaderTest -Dkindling.regenerate=true\n")
         .append("// then run build-ptx.sh and commit this file, kindling_kernels.cu and the PTX together.\n")
         .append("#ifndef KINDLING_OPS_H\n#define KINDLING_OPS_H\n");
        List<String> d = defines();
        int at = 0;
        at = section(s, d, at, "dev.kindling.api.DType", DType.values().length);
        at = section(s, d, at, "dev.kindling.kernel.spi.UnaryOp", UnaryOp.values().length);
        at = section(s, d, at, "dev.kindling.kernel.spi.BinaryOp", BinaryOp.values().length);
        section(s, d, at, "dev.kindling.kernel.spi.ReduceOp", ReduceOp.values().length);

        s.append("\n// Properties of the enums that the kernels test as ranges of codes. The generator refuses to write the header when\n")
         .append("// an enum change breaks a range (reorder the constants, or change the kernels and this generator).\n");
        s.append("#define DTYPE_LAST_FLOATING DTYPE_").append(lastOfHead(DType.values(), DType::isFloatingPoint, "DType.isFloatingPoint()").name())
         .append(" // DType.isFloatingPoint() for the codes up to here\n");
        s.append("#define UNARY_FIRST_PREDICATE UNARY_").append(firstOfTail(UnaryOp.values(), UnaryOp::isPredicate, "UnaryOp.isPredicate()").name())
         .append(" // UnaryOp.isPredicate() (writes BOOL) for the codes from here on\n");
        s.append("#define REDUCE_FIRST_LOGICAL REDUCE_").append(firstOfTail(ReduceOp.values(), ReduceOp::isLogical, "ReduceOp.isLogical()").name())
         .append(" // ReduceOp.isLogical() (reduces truth values) for the codes from here on\n");
        s.append("\n#endif\n");
        return s.toString();
    }

    /** The last constant of the leading run for which {@code p} holds; {@code p} must hold for no later constant. */
    static <E extends Enum<E>> E lastOfHead(E[] values, Predicate<E> p, String what) {
        int n = 0;
        while (n < values.length && p.test(values[n])) n++;
        if (n == 0) throw new IllegalStateException(what + " is false for the first constant " + values[0].name()
                + ": kindling_kernels.cu expects it to hold for the first constants");
        for (int i = n; i < values.length; i++) {
            if (p.test(values[i])) throw new IllegalStateException(what + " holds for " + values[i].name() + " after " + values[n].name()
                    + ", for which it does not: kindling_kernels.cu expects those constants first");
        }
        return values[n - 1];
    }

    /** The first constant of the trailing run for which {@code p} holds; {@code p} must hold for no earlier constant. */
    static <E extends Enum<E>> E firstOfTail(E[] values, Predicate<E> p, String what) {
        int n = values.length;
        while (n > 0 && p.test(values[n - 1])) n--;
        if (n == values.length) throw new IllegalStateException(what + " is false for the last constant " + values[n - 1]
                + ": kindling_kernels.cu expects it to hold for the last constants");
        for (int i = 0; i < n; i++) {
            if (p.test(values[i])) throw new IllegalStateException(what + " holds for " + values[i] + " before " + values[n - 1]
                    + ", for which it does not: kindling_kernels.cu expects those constants last");
        }
        return values[n];
    }

    private static int section(StringBuilder s, List<String> d, int at, String title, int count) {
        s.append("\n// ").append(title).append(" ordinals\n");
        for (int i = at; i < at + count; i++) s.append(d.get(i)).append('\n');
        return at + count;
    }

    private static String define(String name, int value) { return "#define " + name + " " + value; }

    static Path file(Path moduleDir) { return moduleDir.resolve(PATH); }

    static void write(Path moduleDir) throws IOException {
        Files.writeString(file(moduleDir), generate(), StandardCharsets.UTF_8);
    }

    /** Writes the header; the argument is the module directory (default: the working directory). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        write(dir);
        System.out.println("wrote " + file(dir));
    }
}
