/** The op table (every op bound to its schema and forward), the user-facing DenseTensor, the dispatcher and the autograd SPI (GradientEngine). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.8.0")
package dev.kindling.kernel.ops;
