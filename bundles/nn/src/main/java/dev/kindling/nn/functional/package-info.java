/** {@code torch.nn.functional}: {@link dev.kindling.nn.functional.F}. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.kindling.nn.functional;
