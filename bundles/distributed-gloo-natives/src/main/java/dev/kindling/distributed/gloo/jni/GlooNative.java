package dev.kindling.distributed.gloo.jni;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeoutException;

/**
 * The gloo shim ({@code libkindling_gloo.so}, over Debian's {@code libgloo.so.0}). Inside OSGi the library comes from
 * this bundle's {@code Bundle-NativeCode}; on a plain classpath from {@code java.library.path} or, failing that,
 * from this jar (copied to a temporary file). Handles are used from one thread at a time.
 */
public final class GlooNative {
    /** Buffer element types, as the shim numbers them. */
    public static final int FLOAT32 = 0, FLOAT64 = 1, INT64 = 2, INT32 = 3;
    /** Reduce operations, as the shim numbers them. */
    public static final int SUM = 0, PRODUCT = 1, MIN = 2, MAX = 3;

    private static final String LIBRARY = "kindling_gloo";
    private static final String UNAVAILABLE = load();

    private GlooNative() {}

    private static String load() {
        try {
            System.loadLibrary(LIBRARY);
            return null;
        } catch (UnsatisfiedLinkError fromPath) {
            try (InputStream in = GlooNative.class.getResourceAsStream("/lib/lib" + LIBRARY + ".so")) {
                if (in == null) {
                    return "the gloo natives were not built into this bundle (the build needs g++ and libgloo-dev: apt-get install g++ libgloo-dev)";
                }
                Path tmp = Files.createTempFile("lib" + LIBRARY, ".so");
                tmp.toFile().deleteOnExit();
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                System.load(tmp.toString());
                return null;
            } catch (IOException e) {
                return "cannot extract the gloo natives: " + e.getMessage();
            } catch (UnsatisfiedLinkError e) {
                return "cannot load the gloo natives (is libgloo0 installed? apt-get install libgloo0): " + e.getMessage();
            }
        }
    }

    /** Why the shim cannot be used here, or null when it is loaded. */
    public static String unavailableReason() { return UNAVAILABLE; }

    /** Connects rank {@code rank} of {@code size} over TCP on {@code hostname}'s interface; returns a handle. */
    public static native long connect(GlooStore store, int rank, int size, String hostname, long timeoutMillis)
            throws IOException, TimeoutException;

    /** {@code buffer} is a {@code float[]}, {@code double[]}, {@code long[]} or {@code int[]} matching {@code dtype}. */
    public static native void allReduce(long handle, Object buffer, int dtype, int op) throws IOException, TimeoutException;

    /** {@link #allReduce} of a direct buffer's capacity, reduced where it is (no staging copy). */
    public static native void allReduceDirect(long handle, java.nio.Buffer direct, int dtype, int op) throws IOException, TimeoutException;

    public static native void broadcast(long handle, Object buffer, int dtype, int root) throws IOException, TimeoutException;

    public static native void allGather(long handle, Object in, Object out, int dtype) throws IOException, TimeoutException;

    public static native void barrier(long handle) throws IOException, TimeoutException;

    /** Releases the handle; its peers' pending operations then fail. */
    public static native void close(long handle) throws IOException;
}
