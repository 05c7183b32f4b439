/** Kindling's tensor API: {@link dev.kindling.api.Tensor}, {@link dev.kindling.api.Torch}, dtypes and devices. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.5.0")
package dev.kindling.api;
