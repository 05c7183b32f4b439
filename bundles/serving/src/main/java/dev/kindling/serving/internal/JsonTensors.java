package dev.kindling.serving.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;

/**
 * JSON tensors of the Open Inference Protocol: reads an inference request with Jackson's streaming parser (tensor data
 * goes straight into one primitive buffer, nested or flat), and writes responses. Limits: the JSON nesting depth (Jackson's
 * stream constraints) and a cap on the elements of one request, checked while reading, before anything is allocated for them.
 */
final class JsonTensors {
    /**
     * A parsed inference request. {@code outputs} is empty when the client asked for all of them; {@code binaryOutputs}
     * names those to send as raw bytes (Triton's binary tensor extension), {@code allBinary} when the request asked that of
     * every output ({@code binary_data_output}).
     */
    record InferRequest(String id, Map<String, Tensor> inputs, List<String> outputs, Set<String> binaryOutputs, boolean allBinary,
                        long timeoutMicros) {
        boolean binary(String output) { return allBinary || binaryOutputs.contains(output); }
    }

    /** An encoded response: the body, and the length of its JSON part when raw tensor bytes follow it (else -1). */
    record Encoded(byte[] body, int jsonLength) {}

    private final JsonFactory json;
    private final long maxElements;
    private final int maxDepth;

    JsonTensors(int maxDepth, long maxElements) {
        this.maxDepth = maxDepth;
        this.maxElements = maxElements;
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).maxNumberLength(64)
                        .maxStringLength(1 << 16).maxNameLength(1 << 10).build())
                .build();
    }

    JsonFactory factory() { return json; }

    /**
     * Reads an inference request. With {@code jsonLength} >= 0 (the {@code Inference-Header-Content-Length} header) only
     * that many bytes are JSON, and the inputs that say {@code "parameters": {"binary_data_size": n}} take their data, raw
     * little-endian, from the bytes after it, in order (Triton's binary tensor extension).
     */
    InferRequest readInfer(byte[] body, int jsonLength) {
        if (jsonLength > body.length) {
            throw ServingException.badRequest("Inference-Header-Content-Length is " + jsonLength + ", but the body has only " + body.length + " bytes");
        }
        Raw raw = new Raw(body, jsonLength);
        InferRequest r = parse(body, jsonLength < 0 ? body.length : jsonLength, p -> {
            if (p.nextToken() != JsonToken.START_OBJECT) throw ServingException.badRequest("the request body must be a JSON object with \"inputs\"");
            String id = null;
            long[] timeout = {0};
            boolean[] allBinary = {false};
            Map<String, Tensor> inputs = null;
            List<String> outputs = List.of();
            Set<String> binary = new HashSet<>();
            Budget budget = new Budget();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "id" -> id = string(p, "id");
                    case "parameters" -> parameters(p, timeout, allBinary);
                    case "inputs" -> inputs = inputs(p, budget, raw);
                    case "outputs" -> outputs = requestedOutputs(p, binary);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) throw ServingException.badRequest("malformed JSON: text after the request object");
            if (inputs == null) throw ServingException.badRequest("the request has no \"inputs\"");
            if (inputs.isEmpty()) throw ServingException.badRequest("\"inputs\" is empty");
            return new InferRequest(id, inputs, outputs, binary, allBinary[0], timeout[0]);
        });
        raw.checkAllUsed();
        return r;
    }

    private interface BodyReader<T> {
        T read(JsonParser p) throws IOException;
    }

    /** Runs a reader over the body; Jackson's complaints become 400s that say what was wrong. */
    private <T> T parse(byte[] body, int length, BodyReader<T> reader) {
        try (JsonParser p = json.createParser(body, 0, length)) {
            return reader.read(p);
        } catch (StreamConstraintsException e) {
            throw ServingException.badRequest("the request exceeds a JSON limit (nesting depth at most " + maxDepth + "): " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ServingException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ServingException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    /**
     * A TorchServe-style body: a nested JSON array, or an object whose {@code "data"} (or {@code "instances"}) is one.
     * The shape comes from the nesting.
     */
    Tensor readPlain(byte[] body, DType dtype) {
        return parse(body, body.length, p -> {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                Tensor found = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    p.nextToken();
                    if ((f.equals("data") || f.equals("instances")) && found == null) found = plainData(p, dtype);
                    else p.skipChildren();
                }
                if (found == null) throw ServingException.badRequest("the request object has no \"data\" array");
                return found;
            }
            if (t != JsonToken.START_ARRAY) throw ServingException.badRequest("the body must be a JSON array of numbers, or {\"data\": [...]}");
            return plainData(p, dtype);
        });
    }

    private Tensor plainData(JsonParser p, DType dtype) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) throw ServingException.badRequest("\"data\" must be an array of numbers");
        Values v = new Values("data", new Budget());
        Nesting nesting = new Nesting(maxDepth);
        v.read(p, 0, nesting);
        return v.tensor(dtype, nesting.shape(), "data");
    }

    private static String string(JsonParser p, String what) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) throw ServingException.badRequest("\"" + what + "\" must be a string");
        return p.getText();
    }

    /**
     * Request parameters: values are strings, numbers or booleans (the spec); {@code timeout} is in microseconds and
     * {@code binary_data_output} asks for every output as raw bytes (both Triton's).
     */
    private static void parameters(JsonParser p, long[] timeout, boolean[] allBinary) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) throw ServingException.badRequest("\"parameters\" must be an object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            JsonToken v = p.nextToken();
            if (v.isStructStart()) throw ServingException.badRequest("parameter '" + k + "' must be a string, number or boolean");
            if (k.equals("timeout")) {
                if (v != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
                    throw ServingException.badRequest("parameter 'timeout' must be a whole number of microseconds >= 0");
                }
                timeout[0] = p.getLongValue();
            } else if (k.equals("binary_data_output")) allBinary[0] = v == JsonToken.VALUE_TRUE;
        }
    }

    private static List<String> requestedOutputs(JsonParser p, Set<String> binary) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) throw ServingException.badRequest("\"outputs\" must be an array of {\"name\": ...}");
        List<String> names = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            boolean raw = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                if (f.equals("name")) name = string(p, "outputs[].name");
                else if (f.equals("parameters")) raw = tensorParameter(p, "binary_data") > 0;
                else p.skipChildren();
            }
            if (name == null) throw ServingException.badRequest("an entry of \"outputs\" has no \"name\"");
            names.add(name);
            if (raw) binary.add(name);
        }
        if (p.currentToken() != JsonToken.END_ARRAY) throw ServingException.badRequest("\"outputs\" must be an array of {\"name\": ...}");
        return names;
    }

    /** One entry of a tensor's {@code parameters}: {@code binary_data} (true = 1, false = 0) or {@code binary_data_size}; -1 when absent. */
    private static long tensorParameter(JsonParser p, String key) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) throw ServingException.badRequest("\"parameters\" must be an object");
        long value = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            JsonToken v = p.nextToken();
            if (v.isStructStart()) p.skipChildren();
            else if (k.equals(key)) {
                if (v == JsonToken.VALUE_TRUE) value = 1;
                else if (v == JsonToken.VALUE_FALSE) value = 0;
                else if (v == JsonToken.VALUE_NUMBER_INT && p.getLongValue() >= 0) value = p.getLongValue();
                else throw ServingException.badRequest("parameter '" + k + "' must be " + (key.equals("binary_data") ? "true or false" : "a byte count"));
            }
        }
        return value;
    }

    private Map<String, Tensor> inputs(JsonParser p, Budget budget, Raw raw) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) throw ServingException.badRequest("\"inputs\" must be an array of tensors");
        Map<String, Tensor> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null, datatype = null;
            long[] shape = null;
            Values data = null;
            long binarySize = -1;
            Nesting nesting = new Nesting(maxDepth);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "name" -> name = string(p, "inputs[].name");
                    case "datatype" -> datatype = string(p, "inputs[].datatype");
                    case "shape" -> shape = shape(p);
                    case "data" -> {
                        data = new Values(name == null ? "an input" : "input '" + name + "'", budget);
                        data.read(p, 0, nesting);
                    }
                    case "parameters" -> binarySize = tensorParameter(p, "binary_data_size");
                    default -> p.skipChildren();
                }
            }
            String what = name == null ? "an input" : "input '" + name + "'";
            if (name == null) throw ServingException.badRequest("an input has no \"name\"");
            if (datatype == null) throw ServingException.badRequest(what + " has no \"datatype\"");
            if (shape == null) throw ServingException.badRequest(what + " has no \"shape\"");
            if (binarySize >= 0) {
                if (data != null) throw ServingException.badRequest(what + " has both \"data\" and binary_data_size");
                long numel = Raw.numel(shape);
                if ((budget.left -= numel) < 0) throw new ServingException(413, "the request holds more than " + maxElements + " tensor elements");
                if (out.put(name, raw.take(what, Datatypes.configDtype(datatype), shape, numel, binarySize)) != null) {
                    throw ServingException.badRequest("input '" + name + "' is given twice");
                }
                continue;
            }
            if (data == null) throw ServingException.badRequest(what + " has no \"data\"");
            DType dtype = Datatypes.jsonDtype(datatype);
            long[] nested = nesting.shape();
            if (nested.length > 1 && !Arrays.equals(nested, shape)) {
                throw ServingException.badRequest(what + ": data is nested as " + Arrays.toString(nested) + " but shape is " + Arrays.toString(shape)
                        + " (send it flat, or nested exactly as the shape)");
            }
            if (out.put(name, data.tensor(dtype, shape, what)) != null) throw ServingException.badRequest("input '" + name + "' is given twice");
        }
        if (p.currentToken() != JsonToken.END_ARRAY) throw ServingException.badRequest("\"inputs\" must be an array of tensor objects");
        return out;
    }

    private long[] shape(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) throw ServingException.badRequest("\"shape\" must be an array of sizes");
        long[] dims = new long[4];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
                throw ServingException.badRequest("\"shape\" must hold whole numbers >= 0, got " + p.getText());
            }
            if (n == 16) throw ServingException.badRequest("\"shape\" has more than 16 dimensions");
            if (n == dims.length) dims = Arrays.copyOf(dims, n * 2);
            dims[n++] = p.getLongValue();
        }
        return Arrays.copyOf(dims, n);
    }

    /** The shape of nested arrays: every array at one depth has the same length, and all numbers sit at one depth. */
    private static final class Nesting {
        private final long[] dims;
        private int leafDepth = -1, deepest = -1;

        Nesting(int maxDepth) {
            dims = new long[maxDepth + 1];
            Arrays.fill(dims, -1);
        }

        void leaf(int depth, String what) {
            if (leafDepth < 0 && depth > deepest) leafDepth = depth;
            if (depth != leafDepth) throw ServingException.badRequest(what + ": the nested arrays are ragged");
        }

        void array(int depth, long count, String what) {
            if (leafDepth >= 0 && depth >= leafDepth) throw ServingException.badRequest(what + ": the nested arrays are ragged");
            if (dims[depth] < 0) dims[depth] = count;
            else if (dims[depth] != count) throw ServingException.badRequest(what + ": the nested arrays are ragged");
            deepest = Math.max(deepest, depth);
        }

        long[] shape() {
            return Arrays.copyOf(dims, leafDepth >= 0 ? leafDepth : deepest + 1);
        }
    }

    /** Elements left for the whole request, so many medium tensors cannot add up to an unbounded allocation. */
    private final class Budget {
        long left = maxElements;
    }

    /**
     * Tensor data as read: every number as a double, plus the exact value of integers a double cannot hold (beyond 2^53),
     * and what kinds of token were seen, so the declared datatype can be checked afterwards (data may come before it).
     */
    private final class Values {
        private final String what;
        private final Budget budget;
        private double[] vals = new double[64];
        private long[] exact;
        private int n;
        private boolean floats, bools;

        Values(String what, Budget budget) {
            this.what = what;
            this.budget = budget;
        }

        /** Reads a value or a (nested) array; {@code shape}, when given, records and checks a rectangular nesting. */
        void read(JsonParser p, int depth, Nesting shape) throws IOException {
            JsonToken t = p.currentToken();
            if (t != JsonToken.START_ARRAY) {
                if (shape != null) shape.leaf(depth, what);
                add(p, t);
                return;
            }
            long count = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                read(p, depth + 1, shape);
                count++;
            }
            if (shape != null) shape.array(depth, count, what);
        }

        private void add(JsonParser p, JsonToken t) throws IOException {
            if (--budget.left < 0) throw new ServingException(413, "the request holds more than " + maxElements + " tensor elements");
            if (n == vals.length) {
                vals = Arrays.copyOf(vals, n * 2);
                if (exact != null) exact = Arrays.copyOf(exact, n * 2);
            }
            switch (t) {
                case VALUE_NUMBER_INT -> {
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) throw ServingException.badRequest(what + ": " + p.getText() + " is out of range");
                    long v = p.getLongValue();
                    vals[n] = v;
                    if (Math.abs(v) > (1L << 53)) {
                        if (exact == null) exact = new long[vals.length];
                        exact[n] = v;
                    } else if (exact != null) exact[n] = v;
                }
                case VALUE_NUMBER_FLOAT -> {
                    vals[n] = p.getDoubleValue();
                    floats = true;
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    vals[n] = t == JsonToken.VALUE_TRUE ? 1 : 0;
                    bools = true;
                }
                default -> throw ServingException.badRequest(what + ": data must hold numbers or booleans, got " + (t == JsonToken.VALUE_STRING ? "a string" : p.getText()));
            }
            n++;
        }

        Tensor tensor(DType dtype, long[] shape, String what) {
            long numel = 1;
            for (long d : shape) numel = Math.multiplyExact(numel, d);
            if (numel != n) throw ServingException.badRequest(what + ": shape " + Arrays.toString(shape) + " holds " + numel + " elements, but data has " + n);
            String dt = Datatypes.name(dtype);
            if (dtype.isFloatingPoint()) {
                if (bools) throw ServingException.badRequest(what + " is " + dt + ", but its data holds booleans");
                return Torch.tensor(Arrays.copyOf(vals, n), dtype, shape);
            }
            if (dtype.isBool()) {
                boolean[] b = new boolean[n];
                for (int i = 0; i < n; i++) {
                    if (vals[i] != 0 && vals[i] != 1) throw ServingException.badRequest(what + " is BOOL, but its data holds " + vals[i]);
                    b[i] = vals[i] != 0;
                }
                return Torch.tensor(b, shape);
            }
            if (floats) throw ServingException.badRequest(what + " is " + dt + ", but its data holds numbers with a fraction or exponent");
            long lo = switch (dtype) { case INT32 -> Integer.MIN_VALUE; case INT8 -> Byte.MIN_VALUE; case UINT8 -> 0; default -> Long.MIN_VALUE; };
            long hi = switch (dtype) { case INT32 -> Integer.MAX_VALUE; case INT8 -> Byte.MAX_VALUE; case UINT8 -> 255; default -> Long.MAX_VALUE; };
            long[] l = new long[n];
            for (int i = 0; i < n; i++) {
                long v = exact != null && Math.abs(vals[i]) >= (double) (1L << 53) ? exact[i] : (long) vals[i];
                if (v < lo || v > hi) throw ServingException.badRequest(what + " is " + dt + ", but its data holds " + v + ", out of range");
                l[i] = v;
            }
            return Torch.tensor(l, dtype, shape);
        }
    }

    /**
     * An OIP inference response. The outputs {@code binary} picks are sent as raw bytes after the JSON (their entry says
     * {@code binary_data_size} instead of holding {@code data}); then {@link Encoded#jsonLength} is that JSON's length.
     */
    Encoded writeResponse(String model, String version, String id, Map<String, Tensor> outputs, java.util.function.Predicate<String> binary) {
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        byte[] head = write(g -> {
            g.writeStartObject();
            g.writeStringField("model_name", model);
            g.writeStringField("model_version", version);
            if (id != null) g.writeStringField("id", id);
            g.writeArrayFieldStart("outputs");
            for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
                Tensor t = e.getValue();
                DType dtype = outputDtype(t);
                g.writeStartObject();
                g.writeStringField("name", e.getKey());
                g.writeStringField("datatype", Datatypes.name(dtype));
                g.writeFieldName("shape");
                writeLongs(g, t.shape());
                if (binary.test(e.getKey())) {
                    byte[] b = Raw.bytes(t, dtype);
                    raw.write(b, 0, b.length);
                    g.writeObjectFieldStart("parameters");
                    g.writeNumberField("binary_data_size", b.length);
                    g.writeEndObject();
                } else {
                    g.writeFieldName("data");
                    writeFlat(g, t);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
        if (raw.size() == 0) return new Encoded(head, -1);
        byte[] all = Arrays.copyOf(head, head.length + raw.size());
        System.arraycopy(raw.toByteArray(), 0, all, head.length, raw.size());
        return new Encoded(all, head.length);
    }

    /** A tensor as a nested JSON array (a 0-dim tensor as a number), for {@code /predictions}. */
    byte[] writeNested(Tensor t) {
        return write(g -> writeNested(g, t));
    }

    interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    byte[] write(Writer w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            w.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** FP16/BF16 outputs are widened to FP32: JSON cannot carry them (see {@link Datatypes#jsonDtype}). */
    private static DType outputDtype(Tensor t) {
        DType d = t.dtype();
        return d == DType.FLOAT16 || d == DType.BFLOAT16 ? DType.FLOAT32 : d;
    }

    static void writeLongs(JsonGenerator g, long[] v) throws IOException {
        g.writeStartArray();
        for (long x : v) g.writeNumber(x);
        g.writeEndArray();
    }

    private static void writeFlat(JsonGenerator g, Tensor t) throws IOException {
        g.writeStartArray();
        writeRange(g, t, 0, t.numel());
        g.writeEndArray();
    }

    private static void writeNested(JsonGenerator g, Tensor t) throws IOException {
        long[] shape = t.shape();
        if (shape.length == 0) {
            writeRange(g, t, 0, 1);
            return;
        }
        Flat flat = new Flat(t);
        nested(g, flat, shape, 0, 0);
    }

    private static long nested(JsonGenerator g, Flat flat, long[] shape, int dim, long at) throws IOException {
        g.writeStartArray();
        for (long i = 0; i < shape[dim]; i++) {
            if (dim == shape.length - 1) flat.write(g, (int) at++);
            else at = nested(g, flat, shape, dim + 1, at);
        }
        g.writeEndArray();
        return at;
    }

    private static void writeRange(JsonGenerator g, Tensor t, long from, long to) throws IOException {
        Flat flat = new Flat(t);
        for (long i = from; i < to; i++) flat.write(g, (int) i);
    }

    /** A tensor's values copied out once, in the array type its dtype calls for. */
    private static final class Flat {
        private float[] f;
        private double[] d;
        private long[] l;
        private boolean[] b;

        Flat(Tensor t) {
            switch (outputDtype(t)) {
                case FLOAT32 -> f = t.toFloatArray();
                case FLOAT64 -> d = t.toDoubleArray();
                case BOOL -> b = t.toBooleanArray();
                default -> l = t.toLongArray();
            }
        }

        void write(JsonGenerator g, int i) throws IOException {
            if (f != null) g.writeNumber(f[i]);
            else if (d != null) g.writeNumber(d[i]);
            else if (b != null) g.writeBoolean(b[i]);
            else g.writeNumber(l[i]);
        }
    }
}
