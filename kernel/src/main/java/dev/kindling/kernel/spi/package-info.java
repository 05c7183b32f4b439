/** Service provider interfaces of the kernel: tensor backends, autograd, and named providers. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.kindling.kernel.spi;
