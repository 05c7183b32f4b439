/**
 * For dataset bundles: {@link dev.kindling.data.spi.AbstractDatasetProvider}, a kernel
 * {@link dev.kindling.kernel.spi.DatasetProvider} base that checks parameters (from the shell or a JSON model spec)
 * against their {@link dev.kindling.kernel.spi.ParameterSpec}s and converts their types.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.kindling.data.spi;
