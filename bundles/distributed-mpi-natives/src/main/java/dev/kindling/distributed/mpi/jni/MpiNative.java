package dev.kindling.distributed.mpi.jni;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The Open MPI shim ({@code libkindling_mpi.so}, over {@code libmpi.so.40}): MPI_COMM_WORLD of the processes
 * {@code mpirun} started. MPI is initialised once per process and cannot be initialised again after
 * {@link #finalizeMpi()}. Calls must not overlap (MPI_THREAD_SERIALIZED).
 */
public final class MpiNative {
    /** Buffer element types and reduce operations, numbered as in the gloo shim. */
    public static final int FLOAT32 = 0, FLOAT64 = 1, INT64 = 2, INT32 = 3;
    public static final int SUM = 0, PRODUCT = 1, MIN = 2, MAX = 3;

    private static final String LIBRARY = "kindling_mpi";
    private static final String UNAVAILABLE = load();

    private MpiNative() {}

    private static String load() {
        try {
            System.loadLibrary(LIBRARY);
            return null;
        } catch (UnsatisfiedLinkError fromPath) {
            try (InputStream in = MpiNative.class.getResourceAsStream("/lib/lib" + LIBRARY + ".so")) {
                if (in == null) return "the MPI natives were not built into this bundle (the build needs mpicxx: apt-get install libopenmpi-dev)";
                Path tmp = Files.createTempFile("lib" + LIBRARY, ".so");
                tmp.toFile().deleteOnExit();
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                System.load(tmp.toString());
                return null;
            } catch (IOException e) {
                return "cannot extract the MPI natives: " + e.getMessage();
            } catch (UnsatisfiedLinkError e) {
                return "cannot load the MPI natives (is Open MPI installed? apt-get install openmpi-bin): " + e.getMessage();
            }
        }
    }

    /** Why the shim cannot be used here, or null when it is loaded. */
    public static String unavailableReason() { return UNAVAILABLE; }

    /** Initialises MPI if needed; returns {rank, size} in MPI_COMM_WORLD. */
    public static native int[] init() throws IOException;

    public static native void allReduce(Object buffer, int dtype, int op) throws IOException;

    public static native void broadcast(Object buffer, int dtype, int root) throws IOException;

    public static native void allGather(Object in, Object out, int dtype) throws IOException;

    public static native void barrier() throws IOException;

    public static native void finalizeMpi() throws IOException;
}
