/**
 * What a collectives engine implements to become a backend of {@code Dist.initProcessGroup}: a
 * {@link dev.kindling.distributed.spi.ProcessGroupBackend} (a Declarative Services component, or a
 * {@code ServiceLoader} provider on a plain classpath) that connects the ranks of one group and returns their
 * {@link dev.kindling.distributed.spi.Collectives}. Process groups do the rest: ordering, asynchronous handles,
 * tensor conversion and the cross-rank checks of shapes and dtypes.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.kindling.distributed.spi;
