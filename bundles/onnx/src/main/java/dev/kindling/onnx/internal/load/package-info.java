/**
 * The ONNX importer. {@link dev.kindling.onnx.internal.load.OnnxLoader} parses a model and checks everything that can
 * be checked before running (IR and opset, op types, common attribute types, graph structure, initializer sizes
 * against the bytes present, external data bounds), building one {@code NodeDef} per node with its implementation
 * from {@link dev.kindling.onnx.internal.load.OpTable}. The loaded model runs its nodes in topological order over a
 * map of named values; every op is written with Kindling tensor ops, so it runs on any backend and autograd records
 * it, and values that act as attributes (shapes, axes, pads) are read from tensors at run time, so they may be
 * computed in the graph. Initializers are registered as parameters (floating) or buffers (integer) under the keys
 * {@link dev.kindling.onnx.internal.load.StateNames} gives. The op families live in the {@code ops} subpackage.
 */
package dev.kindling.onnx.internal.load;
