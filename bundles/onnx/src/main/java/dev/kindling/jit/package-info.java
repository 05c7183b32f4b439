/**
 * Traced programs (PyTorch's {@code torch.jit.trace}): {@link dev.kindling.jit.Jit#trace} records the ops of one
 * forward call as a graph; the {@link dev.kindling.jit.TracedModule} replays it on any
 * backend, and {@link dev.kindling.jit.Jit#save} writes it as an ONNX file.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.jit;
