/**
 * The JNI binding of the gloo shim: {@link dev.kindling.distributed.gloo.jni.GlooNative} and the store it
 * rendezvouses through. It depends on the JDK only and lives in its own rarely refreshed bundle, because a native
 * library can be loaded by one class loader only (see the JCuda note); the gloo backend bundle above it can be
 * updated freely.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.kindling.distributed.gloo.jni;
