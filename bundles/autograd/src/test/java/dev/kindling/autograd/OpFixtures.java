package dev.kindling.autograd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The PyTorch fixtures of the CPU backend's conformance test ({@code backends/cpu/src/test/resources/fixtures/ops.json},
 * made by generate_fixtures.py), read here so that the op table's completeness and the gradchecks of ops tested by
 * their schema name use the same cases.
 */
public final class OpFixtures {
    private OpFixtures() {}

    static final Path FILE = Path.of("../../backends/cpu/src/test/resources/fixtures/ops.json");

    /** One fixture case: its name, fixture op, inputs (as in the file) and args. */
    public record Case(String name, String category, String op, JsonNode inputs, Map<String, Object> args, boolean error,
                       java.util.Set<Integer> noGrad) {
        /** Cases of ops tested by their schema name: args are the op's attributes by name. */
        public boolean bySchema() { return category.equals("schema"); }

        /** The inputs: floating ones as FLOAT64 tensors that require grad (unless in noGrad), others as they are. */
        public Tensor[] gradcheckInputs() {
            List<Tensor> out = new ArrayList<>();
            for (JsonNode spec : inputs) {
                int index = out.size();
                String dtype = spec.get("dtype").asText();
                long[] shape = new long[spec.get("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = spec.get("shape").get(i).asLong();
                double[] data = new double[spec.get("data").size()];
                for (int i = 0; i < data.length; i++) data[i] = spec.get("data").get(i).asDouble();
                boolean floating = dtype.startsWith("float") || dtype.equals("bfloat16");
                Tensor t = Torch.tensor(data, shape);
                out.add(!floating ? t.to(dev.kindling.api.DType.of(dtype)) : noGrad.contains(index) ? t : t.requiresGrad_(true));
            }
            return out.toArray(new Tensor[0]);
        }

        /**
         * Whether gradcheck can run the case: some floating input has a derivative (integer inputs, such as class
         * targets, and noGrad ones are passed as they are), none goes through a view first, and PyTorch did not raise.
         */
        public boolean gradcheckable() {
            boolean differentiable = false;
            for (int i = 0; i < inputs.size(); i++) {
                JsonNode spec = inputs.get(i);
                if (spec.has("pre")) return false;
                differentiable |= spec.get("dtype").asText().startsWith("float") && !noGrad.contains(i);
            }
            return !error && differentiable;
        }
    }

    private static java.util.Set<Integer> noGrad(JsonNode list) {
        java.util.Set<Integer> out = new java.util.HashSet<>();
        for (JsonNode i : list) out.add(i.asInt());
        return out;
    }

    @SuppressWarnings("unchecked")
    public static List<Case> all() {
        if (!Files.exists(FILE)) {
            throw new IllegalStateException("PyTorch fixtures not found at " + FILE.toAbsolutePath() + ": run the tests from the module directory");
        }
        try {
            ObjectMapper mapper = new ObjectMapper();
            List<Case> out = new ArrayList<>();
            for (JsonNode c : mapper.readTree(FILE.toFile()).get("cases")) {
                out.add(new Case(c.get("name").asText(), c.get("category").asText(), c.get("op").asText(), c.path("inputs"),
                        mapper.convertValue(c.path("args"), Map.class), c.path("error").asBoolean(), noGrad(c.path("noGrad"))));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FILE, e);
        }
    }
}
