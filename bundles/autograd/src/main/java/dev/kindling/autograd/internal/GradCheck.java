package dev.kindling.autograd.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.DenseTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code torch.autograd.gradcheck}: compares the analytical Jacobian (one {@code Autograd.grad} per output element)
 * with central finite differences, in FLOAT64. Returns true, or throws with the first mismatch (PyTorch's default
 * {@code raise_exception=True}).
 */
final class GradCheck {
    private GradCheck() {}

    static boolean check(AutogradEngine engine, java.util.function.Function<Tensor[], Tensor> fn, Tensor[] inputs,
                         double eps, double atol, double rtol) {
        List<Integer> diffIdx = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            if (t != null && t.requiresGrad()) {
                if (t.dtype() != DType.FLOAT64) {
                    throw new IllegalArgumentException("gradcheck expects FLOAT64 inputs that require grad; input " + i + " is " + t.dtype());
                }
                diffIdx.add(i);
            }
        }
        if (diffIdx.isEmpty()) throw new IllegalArgumentException("gradcheck expects at least one input tensor to require gradient");
        Tensor out = fn.apply(inputs);
        int nOut = (int) out.numel();
        // analytical: row j of the Jacobian of each input = grad of output element j
        double[][][] analytical = new double[diffIdx.size()][][];
        for (int k = 0; k < diffIdx.size(); k++) analytical[k] = new double[(int) inputs[diffIdx.get(k)].numel()][nOut];
        List<Tensor> ins = new ArrayList<>();
        for (int i : diffIdx) ins.add(inputs[i]);
        for (int j = 0; j < nOut; j++) {
            double[] onehot = new double[nOut];
            onehot[j] = 1;
            Tensor g = Torch.tensor(onehot).reshape(out.shape()).to(out.dtype());
            Tensor o = fn.apply(inputs);
            if (!o.requiresGrad()) {
                for (double[][] a : analytical) for (double[] row : a) row[j] = 0;
                continue;
            }
            List<Tensor> grads = engine.grad(List.of(o), ins, List.of(g), false, false, true);
            for (int k = 0; k < ins.size(); k++) {
                if (grads.get(k) == null) continue;
                double[] v = grads.get(k).toDoubleArray();
                for (int e = 0; e < v.length; e++) analytical[k][e][j] = v[e];
            }
        }
        // numerical: perturb each element through a detached alias (shares storage, records nothing)
        for (int k = 0; k < diffIdx.size(); k++) {
            Tensor x = inputs[diffIdx.get(k)];
            Tensor flat = x.detach().reshape(-1);
            if (((DenseTensor) flat).storage() != ((DenseTensor) x).storage()) {
                throw new IllegalArgumentException("gradcheck needs contiguous inputs (input " + diffIdx.get(k) + ")");
            }
            for (int e = 0; e < x.numel(); e++) {
                double orig = flat.get(e).item();
                double[] plus;
                double[] minus;
                try (var noGrad = Torch.noGrad()) {
                    flat.get(e).fill_(orig + eps);
                    plus = fn.apply(inputs).toDoubleArray();
                    flat.get(e).fill_(orig - eps);
                    minus = fn.apply(inputs).toDoubleArray();
                    flat.get(e).fill_(orig);
                }
                for (int j = 0; j < nOut; j++) {
                    double num = (plus[j] - minus[j]) / (2 * eps);
                    double ana = analytical[k][e][j];
                    if (!(Math.abs(ana - num) <= atol + rtol * Math.abs(num))) {
                        throw new IllegalStateException("Jacobian mismatch for output " + j + " with respect to input " + diffIdx.get(k)
                                + ", element " + e + ": numerical " + num + ", analytical " + ana);
                    }
                }
            }
        }
        return true;
    }
}
