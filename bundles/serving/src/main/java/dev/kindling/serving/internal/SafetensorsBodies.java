package dev.kindling.serving.internal;

import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.io.Safetensors;
import dev.kindling.io.SafetensorsException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kindling's own extension of the inference protocol: a request or response body that is one safetensors file (read and
 * written by Kindling's io bundle, as model files are). A request's tensors are named as the model's inputs; its
 * {@code __metadata__} may carry the protocol's {@code id}, {@code timeout} (microseconds) and {@code outputs} (names,
 * comma-separated). The response holds the outputs by name, with {@code model_name}, {@code model_version} and {@code id}
 * as metadata. The media type is in the vendor tree (RFC 6838 section 3.2) because safetensors has no registered one.
 */
final class SafetensorsBodies {
    static final String MEDIA_TYPE = "application/vnd.kindling.safetensors";
    /** The name in the server metadata's {@code extensions}. */
    static final String EXTENSION = "kindling_safetensors";

    private SafetensorsBodies() {}

    /** Whether a Content-Type or Accept header names the safetensors body (an Accept entry with {@code q=0} refuses it). */
    static boolean named(String header) {
        if (header == null) return false;
        for (String part : header.split(",")) {
            String[] p = part.split(";");
            if (!p[0].trim().equalsIgnoreCase(MEDIA_TYPE)) continue;
            boolean refused = false;
            for (int i = 1; i < p.length; i++) refused |= p[i].trim().replace(" ", "").matches("(?i)q=0(\\.0*)?");
            if (!refused) return true;
        }
        return false;
    }

    /** A safetensors request body as an inference request; a malformed one is a 400 naming the offset and the tensor. */
    static JsonTensors.InferRequest read(byte[] body, long maxElements) {
        Safetensors.Contents c;
        try {
            c = Safetensors.read(body, "the safetensors request body", Device.CPU);
        } catch (SafetensorsException e) {
            throw ServingException.badRequest(e.getMessage());
        }
        long elements = 0;
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            elements += e.getValue().numel();
            if (elements > maxElements) {
                throw ServingException.badRequest("the safetensors request body holds more than " + maxElements + " elements (at tensor '"
                        + Names.clip(e.getKey()) + "')");
            }
        }
        Map<String, String> meta = c.metadata();
        long timeout = 0;
        if (meta.containsKey("timeout")) {
            try {
                timeout = Long.parseLong(meta.get("timeout").trim());
                if (timeout < 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw ServingException.badRequest("__metadata__ timeout must be microseconds (a whole number >= 0), got '" + Names.clip(meta.get("timeout")) + "'");
            }
        }
        List<String> outputs = meta.containsKey("outputs")
                ? Arrays.stream(meta.get("outputs").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList() : List.of();
        return new JsonTensors.InferRequest(meta.get("id"), c.tensors(), outputs, Set.of(), false, timeout);
    }

    /** The outputs as a safetensors response body. */
    static byte[] write(String model, String version, String id, Map<String, Tensor> outputs) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model_name", model);
        meta.put("model_version", version);
        if (id != null) meta.put("id", id);
        return Safetensors.toBytes(outputs, meta);
    }
}
