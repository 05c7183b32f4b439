package dev.kindling.backend.cpu;

/**
 * Single-precision matrix product {@code C += A * B} on contiguous row-major arrays (A is m x k, B is k x n, C is
 * m x n). {@link #best()} picks the Vector API kernel where the {@code jdk.incubator.vector} module is present and the
 * plain-Java one otherwise, so the backend works in servers that do not add the module.
 */
interface Sgemm {
    void gemm(float[] a, float[] b, float[] c, int m, int n, int k);

    String name();

    /** The fastest kernel this JVM offers. */
    static Sgemm best() { return Holder.BEST; }

    final class Holder {
        private Holder() {}

        static final Sgemm BEST = choose();

        private static Sgemm choose() {
            if (!Boolean.getBoolean("kindling.cpu.noVector") && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
                try {
                    return new VectorSgemm();
                } catch (LinkageError | RuntimeException e) {
                    // the module is there but not readable by this class loader (e.g. not imported in OSGi): fall back
                }
            }
            return new ScalarSgemm();
        }
    }
}
