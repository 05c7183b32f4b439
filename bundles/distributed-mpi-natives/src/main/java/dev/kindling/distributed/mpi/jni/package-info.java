/**
 * The JNI binding of the Open MPI shim, {@link dev.kindling.distributed.mpi.jni.MpiNative}: JDK only, in its own
 * rarely refreshed bundle because a native library can be loaded by one class loader only.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.distributed.mpi.jni;
