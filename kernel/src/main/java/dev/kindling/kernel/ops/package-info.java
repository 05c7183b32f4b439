/** The op table: every tensor op declared once, dispatched through the kernel (and autograd, when installed). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.kindling.kernel.ops;
