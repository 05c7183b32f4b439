/** The training loop: {@link dev.kindling.train.Trainer}, callbacks, metrics, checkpoints, TensorBoard and CSV curves. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package dev.kindling.train;
