/** Autograd API: custom functions, {@code Autograd.grad}, graph nodes. Implemented by the autograd bundle. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.kindling.api.autograd;
