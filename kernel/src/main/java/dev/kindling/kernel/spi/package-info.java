/** Service provider interfaces of the kernel: tensor backends (and their primitives) and named providers. A leaf: it imports nothing else of the kernel. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.8.0")
package dev.kindling.kernel.spi;
