/** Saving and loading: safetensors files ({@link dev.kindling.io.Safetensors}), atomic file writes. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.io;
