/**
 * Support for layer and loss providers (also for third-party bundles): {@link dev.kindling.nn.spi.AbstractLayerProvider},
 * {@link dev.kindling.nn.spi.AbstractLossProvider} and {@link dev.kindling.nn.spi.Params}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.nn.spi;
