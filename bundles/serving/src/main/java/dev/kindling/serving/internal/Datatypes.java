package dev.kindling.serving.internal;

import dev.kindling.api.DType;

import java.util.Locale;

/** Open Inference Protocol datatype names and Kindling dtypes. */
final class Datatypes {
    private Datatypes() {}

    /** The OIP name of a dtype ({@code FP32}, {@code INT64}, ...). */
    static String name(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "FP32";
            case FLOAT64 -> "FP64";
            case FLOAT16 -> "FP16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "INT64";
            case INT32 -> "INT32";
            case INT8 -> "INT8";
            case UINT8 -> "UINT8";
            case BOOL -> "BOOL";
        };
    }

    /**
     * The dtype a JSON tensor of this OIP datatype is built as. FP16/BF16 are "problematic" in JSON (the spec says so) and
     * go in binary form, which Kindling does not take yet; INT16, UINT16/32/64 and BYTES have no Kindling dtype.
     */
    static DType jsonDtype(String datatype) {
        String d = datatype.toUpperCase(Locale.ROOT);
        return switch (d) {
            case "FP32" -> DType.FLOAT32;
            case "FP64" -> DType.FLOAT64;
            case "INT64" -> DType.INT64;
            case "INT32" -> DType.INT32;
            case "INT8" -> DType.INT8;
            case "UINT8" -> DType.UINT8;
            case "BOOL" -> DType.BOOL;
            case "FP16", "BF16" -> throw ServingException.badRequest("datatype " + d + " cannot be sent as JSON numbers (the protocol "
                    + "leaves it to the binary tensor extension): send it as raw bytes with Inference-Header-Content-Length, or as FP32");
            case "INT16", "UINT16", "UINT32", "UINT64", "BYTES" -> throw ServingException.badRequest("datatype " + d
                    + " is not supported: Kindling tensors are FP32, FP64, INT64, INT32, INT8, UINT8 or BOOL");
            default -> throw ServingException.badRequest("unknown datatype '" + datatype + "': the protocol's datatypes are BOOL, UINT8, "
                    + "UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES");
        };
    }

    /** The dtype of an OIP name as a model configuration declares it (any name Kindling has a dtype for). */
    static DType configDtype(String datatype) {
        String d = datatype.toUpperCase(Locale.ROOT);
        if (d.equals("FP16")) return DType.FLOAT16;
        if (d.equals("BF16")) return DType.BFLOAT16;
        return jsonDtype(d);
    }
}
