/** The kernel's tensor implementation, for backends and the autograd engine. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.kernel.tensor;
