/**
 * The seam between the API and its implementation: the kernel implements {@link dev.kindling.api.spi.TensorRuntime}.
 * Users never need this package.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package dev.kindling.api.spi;
