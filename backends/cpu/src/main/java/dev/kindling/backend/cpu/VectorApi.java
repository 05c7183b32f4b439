package dev.kindling.backend.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Whether this backend may use {@code jdk.incubator.vector}: the JVM has the module (it was started with
 * {@code --add-modules jdk.incubator.vector}), this class loader can link against it (in OSGi the import is optional),
 * it offers 8 float lanes, and {@code -Dkindling.cpu.noVector} is not set. Every Vector API kernel
 * ({@link VectorSgemm}, {@link VectorSum}, {@link VectorUnary}, {@link VectorMasks}) is used only when
 * {@link #AVAILABLE}; plain Java runs otherwise.
 *
 * <p>Every float kernel uses 256-bit vectors, also on AVX-512 CPUs: C2 (JDK 17) slows down sharply once float vectors
 * of two widths run in one JVM. Measured on a Zen 4 core: with relu and add on 512-bit vectors beside the 256-bit SGEMM,
 * a 64 x 784 x 256 product took 4.4–5.2 ms instead of 0.40 (the same with every kernel at 256 bits, or with
 * {@code -XX:MaxVectorSize=32}). A 512-bit SGEMM kernel ({@code -Dkindling.cpu.sgemmKernel=12x32}) is for JVMs that run
 * nothing else, e.g. a benchmark. Doubles count too: {@link VectorSum}'s 512-bit double accumulator beside the 256-bit
 * float kernels made a 2-thread MLP inference 5x slower, so it widens into 256-bit double halves.
 *
 * <p>A kernel reached through a long call chain must not be inlined into it. C2 inlines at most 15 calls deep
 * ({@code MaxInlineLevel}, JDK 17 and 25), a Vector API operation is 6 to 12 calls, and past that depth the operation
 * runs its boxed Java fallback: the bf16 rounding of a weight gradient, inlined 12 calls below the op's entry, made
 * that product 2-6x slower in about half of the JVMs. C2 never inlines a hot method of more than 325 bytecode bytes
 * ({@code FreqInlineSize}), so such kernels keep their loops in one method of that size ({@link VectorHalf#convert};
 * {@code VectorKernelBoundaryTest} lists them). To find a case: {@code -XX:+UnlockDiagnosticVMOptions
 * -XX:+PrintInlining}, and look for {@code VectorSupport} calls marked "inlining too deep" or "failed to inline
 * (intrinsic)" below a {@code dev.kindling} frame.
 */
final class VectorApi {
    private VectorApi() {}

    static final boolean AVAILABLE = available();

    private static boolean available() {
        if (Boolean.getBoolean("kindling.cpu.noVector") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        try {
            return Probe.lanes() == 8;
        } catch (LinkageError | RuntimeException e) {
            return false; // present but not readable by this class loader (not imported in OSGi)
        }
    }

    /** Touches the Vector API in a separate class, so a missing module fails there and not in this class's initialiser. */
    private static final class Probe {
        static int lanes() { return FloatVector.SPECIES_256.length(); }
    }
}
