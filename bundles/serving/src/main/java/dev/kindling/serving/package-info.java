/**
 * Model serving: the model versions a Kindling server has ready, as OSGi services ({@link dev.kindling.serving.ServedModel}).
 * The HTTP contract (Open Inference Protocol v2 REST, {@code /ping}, {@code /predictions}, {@code /metrics}) is in
 * the project's API notes; the implementation is internal.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.kindling.serving;
