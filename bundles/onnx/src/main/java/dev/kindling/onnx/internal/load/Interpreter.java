package dev.kindling.onnx.internal.load;

import dev.kindling.api.Tensor;
import dev.kindling.onnx.OnnxException;

import java.util.List;
import java.util.Map;

/** Runs nodes in order over an environment of named values; any failure comes out as an OnnxException naming the node. */
final class Interpreter {
    private Interpreter() {}

    /**
     * Constants (Constant nodes, shapes computed on the host) are made on the CPU; where a node mixes them with
     * tensors on an accelerator (the model was moved with {@code to(device)}), they follow the accelerator.
     */
    private static void sameDevice(Object[] args) {
        dev.kindling.api.Device target = null;
        for (Object o : args) if (o instanceof Tensor t && !t.device().equals(dev.kindling.api.Device.CPU)) target = t.device();
        if (target == null) return;
        for (int i = 0; i < args.length; i++) if (args[i] instanceof Tensor t && !t.device().equals(target)) args[i] = t.to(target);
    }

    static void execute(List<NodeDef> nodes, Map<String, Object> env) {
        for (NodeDef n : nodes) {
            Object[] args = new Object[n.inputs.size()];
            for (int i = 0; i < args.length; i++) {
                String v = n.inputs.get(i);
                args[i] = v.isEmpty() ? null : env.get(v);
            }
            Object[] res;
            try {
                sameDevice(args);
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
