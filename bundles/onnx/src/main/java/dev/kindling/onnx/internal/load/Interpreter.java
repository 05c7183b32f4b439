package dev.kindling.onnx.internal.load;

import dev.kindling.api.Tensor;
import dev.kindling.onnx.OnnxException;

import java.util.List;
import java.util.Map;

/** Runs nodes in order over an environment of named values; any failure comes out as an OnnxException naming the node. */
final class Interpreter {
    private Interpreter() {}

    static void execute(List<NodeDef> nodes, Map<String, Tensor> env) {
        for (NodeDef n : nodes) {
            Tensor[] args = new Tensor[n.inputs.size()];
            for (int i = 0; i < args.length; i++) {
                String v = n.inputs.get(i);
                args[i] = v.isEmpty() ? null : env.get(v);
            }
            Tensor[] res;
            try {
                res = n.op.run(new OpContext(n, args, env));
            } catch (OnnxException e) {
                throw e;
            } catch (RuntimeException | StackOverflowError e) {
                throw new OnnxException(n.describe() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
            }
            for (int i = 0; i < n.outputs.size(); i++) {
                String o = n.outputs.get(i);
                if (o.isEmpty()) continue;
                if (i >= res.length || res[i] == null) throw new OnnxException(n.describe() + ": output " + i + " ('" + o + "') is not produced by this implementation");
                env.put(o, res[i]);
            }
        }
    }
}
