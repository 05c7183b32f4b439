package dev.kindling.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.api.Tensor;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes optimizer and scheduler state dicts (maps of plain values, lists and tensors) as JSON with their Java types
 * kept, tensors moved to a side table (saved as safetensors), so that loading gives back exactly the same values:
 * Integer vs Long, non-finite doubles, maps with non-string keys. Data only: nothing in a file can name a class.
 */
final class StateCodec {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private StateCodec() {}

    static JsonNode encode(Object v, Map<String, Tensor> tensors, String path) {
        if (v == null) return F.nullNode();
        if (v instanceof Boolean) return F.booleanNode((Boolean) v);
        if (v instanceof String) return F.textNode((String) v);
        if (v instanceof Integer) return F.objectNode().put("$int", (Integer) v);
        if (v instanceof Long) return F.numberNode((Long) v);
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isFinite(d) ? F.numberNode(d) : F.objectNode().put("$double", Double.toString(d));
        }
        if (v instanceof Tensor) {
            String key = "t" + tensors.size();
            tensors.put(key, (Tensor) v);
            return F.objectNode().put("$tensor", key);
        }
        if (v instanceof double[]) {
            ArrayNode a = F.arrayNode();
            for (double d : (double[]) v) a.add(encode(d, tensors, path));
            return F.objectNode().set("$doubles", a);
        }
        if (v instanceof long[]) {
            ArrayNode a = F.arrayNode();
            for (long d : (long[]) v) a.add(d);
            return F.objectNode().set("$longs", a);
        }
        if (v instanceof int[]) {
            ArrayNode a = F.arrayNode();
            for (int d : (int[]) v) a.add(d);
            return F.objectNode().set("$ints", a);
        }
        if (v instanceof byte[]) return F.objectNode().put("$bytes", java.util.Base64.getEncoder().encodeToString((byte[]) v));
        if (v instanceof List<?>) {
            ArrayNode a = F.arrayNode();
            int i = 0;
            for (Object o : (List<?>) v) a.add(encode(o, tensors, path + "[" + i++ + "]"));
            return a;
        }
        if (v instanceof Map<?, ?>) {
            Map<?, ?> m = (Map<?, ?>) v;
            boolean stringKeys = m.keySet().stream().allMatch(k -> k instanceof String && !((String) k).startsWith("$"));
            if (stringKeys) {
                ObjectNode o = F.objectNode();
                m.forEach((k, x) -> o.set((String) k, encode(x, tensors, path + "." + k)));
                return o;
            }
            ArrayNode entries = F.arrayNode();
            m.forEach((k, x) -> entries.add(F.arrayNode().add(encode(k, tensors, path)).add(encode(x, tensors, path + "." + k))));
            return F.objectNode().set("$map", entries);
        }
        throw new IllegalArgumentException("cannot checkpoint a value of type " + v.getClass().getName() + " at " + path);
    }

    static Object decode(JsonNode n, Map<String, Tensor> tensors, String path) {
        if (n == null || n.isNull()) return null;
        if (n.isBoolean()) return n.booleanValue();
        if (n.isTextual()) return n.textValue();
        if (n.isIntegralNumber()) return n.longValue();
        if (n.isNumber()) return n.doubleValue();
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            int i = 0;
            for (JsonNode x : n) l.add(decode(x, tensors, path + "[" + i++ + "]"));
            return l;
        }
        if (n.has("$int")) return n.get("$int").intValue();
        if (n.has("$double")) return Double.parseDouble(n.get("$double").textValue());
        if (n.has("$tensor")) {
            Tensor t = tensors.get(n.get("$tensor").textValue());
            if (t == null) throw new IllegalArgumentException("checkpoint refers to a missing tensor " + n.get("$tensor") + " at " + path);
            return t;
        }
        if (n.has("$doubles")) {
            double[] d = new double[n.get("$doubles").size()];
            for (int i = 0; i < d.length; i++) d[i] = ((Number) decode(n.get("$doubles").get(i), tensors, path)).doubleValue();
            return d;
        }
        if (n.has("$longs")) {
            long[] d = new long[n.get("$longs").size()];
            for (int i = 0; i < d.length; i++) d[i] = n.get("$longs").get(i).longValue();
            return d;
        }
        if (n.has("$ints")) {
            int[] d = new int[n.get("$ints").size()];
            for (int i = 0; i < d.length; i++) d[i] = n.get("$ints").get(i).intValue();
            return d;
        }
        if (n.has("$bytes")) return java.util.Base64.getDecoder().decode(n.get("$bytes").textValue());
        Map<Object, Object> m = new LinkedHashMap<>();
        if (n.has("$map")) {
            for (JsonNode e : n.get("$map")) m.put(decode(e.get(0), tensors, path), decode(e.get(1), tensors, path));
            return m;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            m.put(e.getKey(), decode(e.getValue(), tensors, path + "." + e.getKey()));
        }
        return m;
    }
}
