package dev.kindling.onnx;

/**
 * An ONNX file that cannot be read or run (truncated, hostile or unsupported: the message names the node, field or
 * offset), or a model that cannot be exported (the message names the op, the module path and the opset that would
 * support it).
 */
public class OnnxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OnnxException(String message) { super(message); }

    public OnnxException(String message, Throwable cause) { super(message, cause); }
}
