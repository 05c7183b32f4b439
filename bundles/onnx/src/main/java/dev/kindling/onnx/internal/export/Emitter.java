package dev.kindling.onnx.internal.export;

import dev.kindling.jit.Graph;

/** Writes one traced op as ONNX nodes (an entry of {@link OnnxOpTable}). */
@FunctionalInterface
interface Emitter {
    void emit(Graph.Node node, GraphWriter w);
}
