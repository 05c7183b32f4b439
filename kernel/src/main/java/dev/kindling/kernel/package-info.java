/** The microkernel: {@link dev.kindling.kernel.Kernel}, backend and provider registries. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.5.0")
package dev.kindling.kernel;
