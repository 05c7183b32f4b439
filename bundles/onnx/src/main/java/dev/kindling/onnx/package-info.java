/**
 * ONNX files: {@link dev.kindling.onnx.Onnx#export} writes a model (or a {@link dev.kindling.jit.TracedModule}) as a
 * self-contained ONNX file that ONNX Runtime loads; {@link dev.kindling.onnx.Onnx#load} runs an ONNX model on
 * Kindling's own backends, with autograd (its initializers are parameters).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.onnx;
