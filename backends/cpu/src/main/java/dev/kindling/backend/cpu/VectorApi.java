package dev.kindling.backend.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Whether this backend may use {@code jdk.incubator.vector}: the JVM has the module (it was started with
 * {@code --add-modules jdk.incubator.vector}), this class loader can link against it (in OSGi the import is optional),
 * it offers 8 float lanes, and {@code -Dkindling.cpu.noVector} is not set. Every Vector API kernel
 * ({@link VectorSgemm}, {@link VectorSum}, {@link VectorUnary}, {@link VectorMasks}) is used only when
 * {@link #AVAILABLE}; plain Java runs otherwise.
 *
 * <p>Every kernel computes in one vector width, {@link #BITS}: the JVM's preferred width where it is 512 bits (AVX-512
 * CPUs), 256 bits otherwise, or {@code -Dkindling.cpu.vectorBits=256|512} (a width the CPU lacks is refused, since the
 * Vector API would emulate it a hundred times slower). {@link Species} holds the species of that width. One width,
 * because C2 (JDK 17) slows down sharply once float vectors of two widths run in one JVM: on a Zen 4 core, with relu and
 * add on 512-bit vectors beside a 256-bit SGEMM, a 64 x 784 x 256 product took 4.4–5.2 ms instead of 0.40, and a
 * 512-bit double accumulator beside 256-bit float kernels made a 2-thread MLP inference 5x slower. Where the CPU
 * computes 512 bits at once (Zen 5, Intel's AVX-512 cores) the wide kernels are up to 1.6x faster; Zen 4 runs them as
 * two 256-bit halves, and its SGEMM ran as fast at 512 bits as at 256 (measurements at {@link VectorSgemm#defaultKernel};
 * the other kernels were not measured there at 512 bits).
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

    /** The JVM's preferred vector width in bits (512 where it uses AVX-512 and its 32 registers); 0 without the Vector API. */
    static final int PREFERRED_BITS = AVAILABLE ? Probe.preferredBits() : 0;

    /** The vector width of every kernel, in bits (256 or 512); meaningful only where {@link #AVAILABLE}. */
    static final int BITS = AVAILABLE ? configuredBits() : 256;

    private static int configuredBits() {
        try {
            return bits(System.getProperty("kindling.cpu.vectorBits", ""), PREFERRED_BITS);
        } catch (IllegalArgumentException e) {
            // a mistyped setting must not take the backend down: say so, and use the CPU's own width
            int fallback = bits("", PREFERRED_BITS);
            System.getLogger(VectorApi.class.getName()).log(System.Logger.Level.WARNING, e.getMessage() + "; using " + fallback + "-bit vectors");
            return fallback;
        }
    }

    /**
     * The width for a {@code kindling.cpu.vectorBits} setting ("" for none) on a CPU whose preferred width is
     * {@code preferred} bits: the setting where the CPU has it, else the preferred width, at least 256 and at most 512.
     */
    static int bits(String setting, int preferred) {
        int widest = Math.min(512, Math.max(256, preferred));
        if (setting.isBlank()) return widest;
        int asked;
        try {
            asked = Integer.parseInt(setting.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kindling.cpu.vectorBits must be 256 or 512, not '" + setting + "'");
        }
        if (asked != 256 && asked != 512) throw new IllegalArgumentException("kindling.cpu.vectorBits must be 256 or 512, not " + asked);
        if (asked > widest) {
            throw new IllegalArgumentException("kindling.cpu.vectorBits=" + asked + " but this CPU's widest vectors the JVM uses are " + preferred
                    + " bits (the Vector API would emulate " + asked + "-bit vectors, a hundred times slower)");
        }
        return asked;
    }

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

        static int preferredBits() { return FloatVector.SPECIES_PREFERRED.vectorBitSize(); }
    }
}
