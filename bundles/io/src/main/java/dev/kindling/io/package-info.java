/** Saving and loading: safetensors files ({@link dev.kindling.io.Safetensors}), PyTorch checkpoints ({@link dev.kindling.io.PyTorchFiles}), atomic file writes. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package dev.kindling.io;
