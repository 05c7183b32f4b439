/** Strided tensor storage (TensorImpl, backend handles, shapes, host reads): below the op table, knowing nothing of ops, dispatch or autograd. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.4.0")
package dev.kindling.kernel.tensor;
